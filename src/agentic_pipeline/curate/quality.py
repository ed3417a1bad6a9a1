"""Quality checks on what a record says: repeated prompts, degenerate repetition, unused tools.

``duplicate_prompt`` (warning, parent side, across all files and kinds): two records whose prompt,
the first user turn normalised as in ``textnorm`` (lowercase, punctuation to spaces, whitespace
collapsed), is the same, or nearly the same (MinHash of word 5-grams, estimated Jaccard >= the
near-duplicate threshold, when near-duplicate detection is on), whatever their answers: the same
question converted from an Alpaca file and a ShareGPT file trains twice. The later record (in file
order) is reported against the earlier one's ``file:line``. Not compared:

* preference records: one prompt carries several (chosen, rejected) pairs by design (OASST pairs
  of one message tree, several rejected replies per task);
* records from the same source line (``metadata.source`` and ``metadata.line`` equal): the
  root-to-leaf paths of one OASST tree (``--oasst-paths all``) share their first prompt by design;
* a record already reported as an exact or near duplicate of a whole earlier record.

Part of near-duplicate detection: ``--no-near-dup`` turns it off too. Exact prompt keys are a
16-byte digest per record; near ones a second MinHash LSH index beside the whole-record one. A short
templated question that differs from another in one number can reach the threshold (5 of ~30
shingles differ): a warning to look at, never a drop.

``repetition`` (warning, per record): a user or assistant turn (a preference's prompt and chosen
reply; not its rejected reply, which may be bad on purpose; never system or tool turns) dominated
by one repeated unit, as a model stuck in a loop writes it:

* lines: a turn of at least ``MIN_LINES`` (10) non-empty lines where the most frequent line
  (holding a letter or digit, so ``}`` or ``---`` never count) is at least ``LINE_SHARE`` (50%)
  of them;
* word n-grams: a turn of at least ``MIN_WORDS`` (200) normalised words where at least
  ``NGRAM_SHARE`` (50%) of its word 8-grams repeat an earlier 8-gram of the turn and the most
  frequent 8-gram occurs at least ``MIN_NGRAM_REPEATS`` (10) times: one sentence written 2,000
  times, with or without newlines. A file quoted twice (before and after an edit: every 8-gram
  about twice) or code with many similar lines (their arguments differ) is not flagged.

``tools_unused`` (warning, per file, line 0): a file whose records define tools (a non-empty
``tools``) and of which no record calls one (no assistant ``tool_calls``): the tool definitions
cost context on every sample and teach nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from agentic_pipeline.curate.textnorm import ngram_hashes, normalize

MIN_LINES = 10
LINE_SHARE = 0.5
MIN_WORDS = 200
NGRAM = 8
NGRAM_SHARE = 0.5
MIN_NGRAM_REPEATS = 10
# A turn shorter than this cannot hold MIN_WORDS words (a word and a separator are >= 2 characters).
_MIN_NGRAM_CHARS = 2 * MIN_WORDS - 1
_QUOTE = 60


def prompt(obj: dict[str, Any]) -> str | None:
    """The record's first user turn, or None (no user turn, or a preference record)."""
    if obj.get("kind") == "preference" or "chosen" in obj:
        return None
    for m in obj.get("messages") or ():
        if m.get("role") == "user":
            content = m.get("content")
            return content if isinstance(content, str) else None
    return None


def origin(obj: dict[str, Any]) -> tuple[Any, Any] | None:
    """Where a converted record came from (source file, line), or None."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and meta.get("source") is not None and meta.get("line") is not None:
        return (meta["source"], meta["line"])
    return None


def uses_tools(obj: dict[str, Any]) -> tuple[bool, bool]:
    """(defines tools, calls one)."""
    defines = bool(obj.get("tools"))
    calls = False
    if defines:
        for key in ("messages", "chosen", "rejected"):
            if any(m.get("tool_calls") for m in obj.get(key) or () if isinstance(m, dict)):
                calls = True
                break
    return defines, calls


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= _QUOTE else text[: _QUOTE - 3] + "...")


def repeated(text: str) -> str | None:
    """Why the text is dominated by one repeated line or word 8-gram, or None."""
    if text.count("\n") >= MIN_LINES - 1:
        lines = text.splitlines()
        counts = Counter(lines)
        total = len(lines) - counts.get("", 0)
        if total >= MIN_LINES:
            for line, count in counts.most_common(3):
                if count < LINE_SHARE * total:
                    break
                if any(c.isalnum() for c in line):  # not "}" or "---"
                    return f"one line is {count} of its {total} lines: {_quote(line)}"
    if len(text) < _MIN_NGRAM_CHARS:
        return None
    norm = normalize(text)
    h = ngram_hashes(norm, NGRAM)
    if h.size < MIN_WORDS - NGRAM + 1:
        return None
    ordered = np.sort(h)
    share = 1 - (1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))) / h.size
    if share < NGRAM_SHARE:  # the common case, without the slower stable sort below
        return None
    values, first, counts = np.unique(h, return_index=True, return_counts=True)
    top = int(counts.argmax())
    if counts[top] < MIN_NGRAM_REPEATS:
        return None
    # the text of the most frequent 8-gram, for the message
    starts = np.flatnonzero(np.concatenate(([True], norm[:-1] == ord(" "))))
    start = int(starts[first[top]])
    end_word = int(first[top]) + NGRAM
    end = int(starts[end_word]) - 1 if end_word < starts.size else norm.size
    words = norm[start:end].tobytes().decode("utf-8", "replace")
    return (
        f"{share:.0%} of its {h.size + NGRAM - 1} words repeat earlier 8-grams; "
        f"{words!r} occurs {int(counts[top])} times"
    )


def repetition(obj: dict[str, Any]) -> str | None:
    """The first user or assistant turn dominated by repetition, described, or None."""
    turns = []
    for key in ("messages", "prompt", "chosen"):
        turns.extend((key, i, m) for i, m in enumerate(obj.get(key) or ()))
    for key, i, m in turns:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if not isinstance(content, str) or len(content) < 20:
            continue
        reason = repeated(content)
        if reason is not None:
            return f"{m['role']} turn {key}[{i}]: {reason}"
    return None
