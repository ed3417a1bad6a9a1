"""Secrets and PII in record text: detect-secrets' detectors plus patterns it lacks.

detect-secrets (Yelp) is used as a library: its regex detectors' ``analyze_string`` on each line
that could hold a match (never its ``verify``, which calls the providers over the network).
Left out on purpose: the entropy detectors and the keyword detector (code data is full of hashes,
test passwords and ``password = ...`` examples), the public-IP detector (devops output), and the
IBM/Cloudant/SoftLayer keyword heuristics. Our own patterns add what it lacks: Anthropic
``sk-ant-``, OpenAI ``sk-``/``sk-proj-``, Hugging Face ``hf_``, GitHub fine-grained
``github_pat_``, GCP service-account keys, whole PEM private-key blocks (so redaction removes the
key, not just its header), ``xox*`` Slack tokens, passwords in URLs; e-mail addresses are PII
(warning), except reserved example domains (RFC 2606: example.com, .test, ...).

Speed: each detector has anchors, literals or cheap regexes that any match contains (a GitHub
token contains ``ghp_``); its regexes run only on a text that contains one, so clean text costs a
few substring searches. A detector without anchors always runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class Lower(str):
    """An anchor searched in the lowercased text (for case-insensitive detectors)."""


# An anchor is a literal (searched with ``in``), a ``Lower`` literal, or a cheap regex (a literal
# first character keeps ``re`` fast) that any match of the detector must contain.
Anchor = str | re.Pattern[str]

# detect-secrets detector -> anchors
_DS_PLUGINS: dict[str, tuple[Anchor, ...]] = {
    "AWSKeyDetector": (re.compile("A(?:3T|BIA|CCA|KIA|SIA)"), Lower("aws")),
    "AzureStorageKeyDetector": ("AccountKey=",),
    "BasicAuthDetector": ("://",),
    "DiscordBotTokenDetector": (re.compile(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),),
    "GitHubTokenDetector": (re.compile("gh[pousr]_"),),
    "GitLabTokenDetector": (re.compile("gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"), "GR1348941"),
    "JwtTokenDetector": ("eyJ",),
    "MailchimpDetector": (re.compile(r"-us\d"),),
    "NpmDetector": ("_authToken",),
    "OpenAIDetector": ("T3BlbkFJ",),
    "PrivateKeyDetector": ("PRIVATE KEY", "PuTTY-User-Key-File-2"),
    "PypiTokenDetector": ("pypi-",),
    "SendGridDetector": ("SG.",),
    "SlackDetector": (Lower("xox"), Lower("hooks.slack.com")),
    "SquareOAuthDetector": ("sq0csp-",),
    "StripeDetector": ("k_live_",),
    "TelegramBotTokenDetector": (re.compile(r":[0-9A-Za-z_-]{35}"),),
    "TwilioKeyDetector": (re.compile("(?:AC|SK)[a-z0-9]{32}"),),
    "ArtifactoryDetector": ("AKC", re.compile(r"AP[\dA-F][a-zA-Z0-9]{8}")),
}

# Our own: name -> (anchors, regex, is secret (error) or PII (warning)); group 0 is what gets redacted.
_OWN: dict[str, tuple[tuple[Anchor, ...], str, bool]] = {
    "Anthropic API key": (("sk-ant-",), r"sk-ant-[A-Za-z0-9_-]{20,}", True),
    "OpenAI API key": (
        ("sk-",),
        r"(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        True,
    ),
    "Hugging Face token": (("hf_",), r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}", True),
    "GitHub token": (
        ("github_pat_", re.compile("gh[pousr]_")),
        r"github_pat_[A-Za-z0-9_]{22,}|gh[pousr]_[A-Za-z0-9]{36,}",
        True,
    ),
    "GitLab token": (("glpat-",), r"glpat-[A-Za-z0-9_-]{20,}", True),
    "AWS access key id": ((re.compile("A(?:KIA|SIA)"),), r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", True),
    "GCP service-account key id": (("private_key_id",), r'"private_key_id"\s*:\s*"[0-9a-f]{40}"', True),
    "private key block": (
        ("PRIVATE KEY",),
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?",
        True,
    ),
    "Slack token": (("xox",), r"xox[abposre]-[A-Za-z0-9-]{10,}", True),
    "password in URL": (("://",), r"(?<=://)[^\s:/@'\"<>]+:[^\s/@'\"<>]+(?=@)", True),
    "e-mail address": (
        (re.compile(r"@[A-Za-z0-9-]+\.[A-Za-z0-9]"),),
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        False,
    ),
}
_RESERVED_EMAIL = re.compile(
    r"@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\.(?:example|test|invalid|localhost))$", re.I
)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # what was found: "AWS Access Key", "e-mail address", ...
    value: str
    secret: bool  # True: a secret (error); False: PII (warning)


@dataclass(frozen=True, slots=True)
class _Detector:
    kind: str
    anchors: tuple[Anchor, ...]
    secret: bool
    find: Any  # str -> Iterable[str]


def _ds_finder(plugin: Any) -> Any:
    """The detector's own patterns, as its ``analyze_string`` runs them, but keeping the whole match
    (its ``findall`` returns a capture group, e.g. only ``ghp`` of a GitHub token) unless the one
    group is the secret itself (the password of a URL)."""

    def find(text: str) -> Iterable[str]:
        for regex in plugin.denylist:
            for m in regex.finditer(text):
                group = m.group(1) if regex.groups == 1 else None
                yield group if group and len(group) >= 6 else m.group(0)

    return find


@lru_cache(maxsize=1)
def _detectors() -> tuple[_Detector, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    found = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if cls.__name__ in _DS_PLUGINS:
            found.append(_Detector(cls.secret_type, _DS_PLUGINS[cls.__name__], True, _ds_finder(cls())))
    for kind, (anchors, pattern, secret) in _OWN.items():
        regex = re.compile(pattern, re.S)
        found.append(_Detector(kind, anchors, secret, lambda s, r=regex: (m.group(0) for m in r.finditer(s))))
    return tuple(found)


def _present(anchor: Anchor, text: str, lower: str | None) -> bool:
    if isinstance(anchor, Lower):
        return anchor in lower
    if isinstance(anchor, str):
        return anchor in text
    return anchor.search(text) is not None


def scan(text: str) -> list[Hit]:
    """Every secret and e-mail address in ``text`` (deduplicated, longest values first)."""
    lower: str | None = None
    hits: dict[str, Hit] = {}
    for det in _detectors():
        if det.anchors:
            if lower is None and any(isinstance(a, Lower) for a in det.anchors):
                lower = text.lower()
            if not any(_present(a, text, lower) for a in det.anchors):
                continue
        for value in det.find(text):
            if not value or value in hits:
                continue
            if det.kind == "e-mail address" and _RESERVED_EMAIL.search(value):
                continue
            hits[value] = Hit(det.kind, value, det.secret)
    return sorted(hits.values(), key=lambda h: -len(h.value))


def _replace(value: Any, hits: list[Hit]) -> Any:
    if isinstance(value, str):
        for hit in hits:
            if hit.value in value:
                value = value.replace(hit.value, f"[REDACTED {hit.kind}]")
        return value
    if isinstance(value, dict):
        return {k: _replace(v, hits) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, hits) for v in value]
    return value


def redact(obj: Any, hits: list[Hit]) -> Any:
    """A copy of a record with every found value replaced by ``[REDACTED <kind>]``."""
    return _replace(obj, sorted(hits, key=lambda h: -len(h.value)))
