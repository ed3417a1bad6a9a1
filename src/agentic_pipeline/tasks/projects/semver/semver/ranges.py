"""Version ranges in the npm style: "^1.2.3", "~1.2", ">=1.0.0 <2.0.0", "1.x", "*", joined by "||"."""

from __future__ import annotations

import operator

from semver.version import Version

Comparator = tuple[str, Version]

OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq}


def parse_partial(text: str) -> tuple[int | None, int | None, int | None]:
    """ "1.2" -> (1, 2, None); "x", "*" and missing parts are None."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"bad version in range: {text!r}")
    numbers: list[int | None] = [None, None, None]
    for i, part in enumerate(parts):
        if part in ("x", "X", "*"):
            break
        if not part.isdigit():
            raise ValueError(f"bad version in range: {text!r}")
        numbers[i] = int(part)
    return numbers[0], numbers[1], numbers[2]


def expand_caret(text: str) -> list[Comparator]:
    """^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := >=0.2.3 <0.3.0; ^0.0.3 := >=0.0.3 <0.0.4."""
    major, minor, patch = parse_partial(text)
    lower = Version(major or 0, minor or 0, patch or 0)
    if major is None:
        return []
    if major > 0 or minor is None:
        upper = Version(major + 1)
    elif minor > 0 or patch is None:
        upper = Version(0, minor + 1)
    else:
        upper = Version(0, 0, patch + 1)
    return [(">=", lower), ("<", upper)]


def expand_tilde(text: str) -> list[Comparator]:
    """~1.2.3 := >=1.2.3 <1.3.0; ~1 := >=1.0.0 <2.0.0."""
    major, minor, patch = parse_partial(text)
    lower = Version(major or 0, minor or 0, patch or 0)
    if major is None:
        return []
    upper = Version(major + 1) if minor is None else Version(major, minor + 1)
    return [(">=", lower), ("<", upper)]


def expand_term(term: str) -> list[Comparator]:
    """Comparators of one space-separated term of a range."""
    if term.startswith("^"):
        return expand_caret(term[1:])
    if term.startswith("~"):
        return expand_tilde(term[1:])
    for symbol in (">=", "<=", ">", "<", "="):
        if term.startswith(symbol):
            return [(symbol, Version.parse(term[len(symbol) :]))]
    major, minor, _ = parse_partial(term)
    if major is None:
        return []
    if minor is None or "x" in term.lower() or "*" in term or term.count(".") < 2:
        return expand_tilde(term) if minor is not None else expand_caret(term)
    return [("=", Version.parse(term))]


def satisfies(version: Version, comparators: list[Comparator]) -> bool:
    """Whether `version` meets every comparator; a pre-release only matches a comparator on its own x.y.z."""
    if version.prerelease:
        same_core = any(v.prerelease and v._key() == version._key() for _, v in comparators)
        if not same_core:
            return False
    return all(OPERATORS[symbol](version, bound) for symbol, bound in comparators)


def matches(version: str, range_text: str) -> bool:
    """Whether the version string is in the range ("||" separates alternatives)."""
    parsed = Version.parse(version)
    for alternative in range_text.split("||"):
        comparators = [c for term in alternative.split() for c in expand_term(term)]
        if satisfies(parsed, comparators):
            return True
    return False


def max_satisfying(versions: list[str], range_text: str) -> str | None:
    """The highest version in the range, or None."""
    candidates = [v for v in versions if matches(v, range_text)]
    return max(candidates, key=Version.parse, default=None)
