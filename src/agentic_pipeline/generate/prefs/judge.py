"""Decide, from measurements only, whether one candidate beats another, and by how much.

Margins (positive: the chosen side is better), one per category:

- code_quality: ``penalty(rejected) - penalty(chosen)``, where penalty = ruff findings
  + max(0, radon max cyclomatic complexity - 5) + duplicated lines / 3
  + max(0, 70 - maintainability index) / 10 + source lines / 20 + mypy errors (when mypy is installed).
- efficiency: ``log2(t_rejected / t_chosen)`` at the largest input size both sides were timed on
  (1.0 = twice as fast).
- safety: ``risk(rejected) - risk(chosen)``, risk = sum of finding weights (bandit severity or
  command-policy severity: LOW 1, MEDIUM 3, HIGH 5).

A claimed pair (the catalogue's ranks say which should win) is dropped, with the reason recorded,
when: the claimed-better side fails its tests; the other side fails its tests (not a like-for-like
pair); a measurement is missing; the margin is negative (the measurements contradict the label);
the margin is zero (a tie); or the margin is under the threshold. An unclaimed pair (teacher
samples) is ordered by the measurements, so it can only be a tie or under the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from agentic_pipeline.generate.prefs.catalog import Candidate
from agentic_pipeline.generate.prefs.measure import tool_versions

DEFAULT_MIN_MARGIN = {"code_quality": 1.0, "efficiency": 1.0, "safety": 1.0}

MARGIN_DEFINITIONS = {
    "code_quality": "penalty(rejected) - penalty(chosen); penalty = ruff findings + max(0, cc_max - 5) "
    "+ duplicated_lines / 3 + max(0, 70 - maintainability) / 10 + sloc / 20 (+ mypy errors)",
    "efficiency": "log2(seconds(rejected) / seconds(chosen)) at the largest input size both were timed on",
    "safety": "risk(rejected) - risk(chosen); risk = sum of finding weights, LOW 1 / MEDIUM 3 / HIGH 5",
    "trajectory_outcome": "1 when the chosen episode passed its verifier and the rejected one did not",
    "trajectory_steps": "tool calls(rejected) - tool calls(chosen), both episodes verified",
}


def quality_penalty(quality: dict[str, Any]) -> float:
    return round(
        quality["ruff_findings"]
        + max(0, quality["cc_max"] - 5)
        + quality["duplicated_lines"] / 3
        + max(0.0, 70 - quality["maintainability"]) / 10
        + quality["sloc"] / 20
        + quality.get("mypy_errors", 0),
        3,
    )


def _efficiency_margin(chosen: dict[str, Any], rejected: dict[str, Any]) -> tuple[float | None, str]:
    tc, tr = chosen.get("timing") or {}, rejected.get("timing") or {}
    if not (tc.get("ok") and tr.get("ok")):
        return None, "timing failed"
    seconds_c = {p["n"]: p["seconds"] for p in tc["points"]}
    seconds_r = {p["n"]: p["seconds"] for p in tr["points"]}
    common = sorted(set(seconds_c) & set(seconds_r))
    if not common:
        return None, "no input size timed on both sides"
    n = common[-1]
    return round(math.log2(max(seconds_r[n], 1e-9) / max(seconds_c[n], 1e-9)), 3), f"n={n}"


def margin(category: str, chosen: dict[str, Any], rejected: dict[str, Any]) -> tuple[float | None, str]:
    """(margin, note) for chosen over rejected; margin None when a measurement is missing."""
    if category == "efficiency":
        return _efficiency_margin(chosen, rejected)
    if category == "code_quality":
        if "quality" not in chosen or "quality" not in rejected:
            return None, "no quality metrics"
        return round(quality_penalty(rejected["quality"]) - quality_penalty(chosen["quality"]), 3), ""
    if category == "safety":
        return float(rejected["security"]["risk"] - chosen["security"]["risk"]), ""
    raise ValueError(f"unknown preference category {category!r}")


def side_evidence(category: str, m: dict[str, Any]) -> dict[str, Any]:
    """What a pair's evidence keeps of one side's measurement."""
    out: dict[str, Any] = {"candidate": m["candidate"], "origin": m["origin"], "tests": m["tests"]}
    if category == "code_quality" and "quality" in m:
        out["quality"] = m["quality"]
        out["penalty"] = quality_penalty(m["quality"])
    if category == "efficiency" and "timing" in m:
        out["timing"] = m["timing"]
    if category == "safety":
        sec = m["security"]
        out["security"] = {"analyzer": sec["analyzer"], "risk": sec["risk"], "findings": sec["findings"]}
    out["measured_at"] = m["measured_at"]
    return out


@dataclass
class Verdict:
    kept: bool
    reason: str
    chosen: Candidate
    rejected: Candidate
    margin: float | None
    evidence: dict[str, Any] = field(default_factory=dict)


def judge(
    category: str,
    a: Candidate,
    b: Candidate,
    ma: dict[str, Any],
    mb: dict[str, Any],
    threshold: float,
    claimed: bool = True,
) -> Verdict:
    """Judge the claim "a beats b" (``claimed``), or order an unclaimed pair by its measurements."""
    if not claimed:
        m, _ = margin(category, ma, mb)
        if m is not None and m < 0:
            a, b, ma, mb = b, a, mb, ma
    m, note = margin(category, ma, mb)
    evidence = {
        "measure": category,
        "margin": m,
        "threshold": threshold,
        "margin_definition": MARGIN_DEFINITIONS[category],
        "claim": "catalogue ranks" if claimed else "ordered by measurement",
        "tool_versions": tool_versions(),
        "chosen": side_evidence(category, ma),
        "rejected": side_evidence(category, mb),
    }
    if note:
        evidence["compared_at"] = note
    reason = _drop_reason(ma, mb, m, threshold, note)
    return Verdict(kept=reason == "kept", reason=reason, chosen=a, rejected=b, margin=m, evidence=evidence)


def _drop_reason(ma: dict[str, Any], mb: dict[str, Any], m: float | None, threshold: float, note: str) -> str:
    if not ma["tests"]["ok"]:
        return "chosen fails its tests"
    if not mb["tests"]["ok"]:
        return "rejected fails its tests (not a like-for-like pair)"
    if m is None:
        return f"missing measurement: {note}"
    if m < 0:
        return "measurements contradict the label"
    if m == 0:
        return "tie"
    if m < threshold:
        return "margin under threshold"
    return "kept"
