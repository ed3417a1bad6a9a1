"""A semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]) with SemVer 2.0 precedence."""

from __future__ import annotations

from functools import total_ordering


def _compare_identifiers(left: str, right: str) -> int:
    """Compare two pre-release identifiers: numbers numerically and below words, words by ASCII."""
    left_num, right_num = left.isdigit(), right.isdigit()
    if left_num and right_num:
        return (int(left) > int(right)) - (int(left) < int(right))
    if left_num != right_num:
        return -1 if left_num else 1
    return (left > right) - (left < right)


def compare_prerelease(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    """-1, 0 or 1. No pre-release ranks above any pre-release; a shorter prefix ranks lower."""
    if not left or not right:
        return (not left) - (not right)
    for a, b in zip(left, right):
        result = _compare_identifiers(a, b)
        if result:
            return result
    return (len(left) > len(right)) - (len(left) < len(right))


@total_ordering
class Version:
    def __init__(
        self, major: int, minor: int = 0, patch: int = 0, prerelease: tuple[str, ...] = (), build: str = ""
    ) -> None:
        if min(major, minor, patch) < 0:
            raise ValueError("version numbers must not be negative")
        self.major, self.minor, self.patch = major, minor, patch
        self.prerelease = tuple(prerelease)
        self.build = build

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse "1.2.3-rc.1+build.5"; a leading "v" is accepted."""
        text = text.strip().removeprefix("v")
        core, _, build = text.partition("+")
        core, dash, pre = core.partition("-")
        parts = core.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a semantic version: {text!r}")
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            raise ValueError(f"leading zero in {text!r}")
        prerelease = tuple(pre.split(".")) if dash else ()
        if any(not identifier for identifier in prerelease):
            raise ValueError(f"empty pre-release identifier in {text!r}")
        return cls(int(parts[0]), int(parts[1]), int(parts[2]), prerelease, build)

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        """Build metadata does not take part in equality."""
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key() and self.prerelease == other.prerelease

    def __lt__(self, other: Version) -> bool:
        if self._key() != other._key():
            return self._key() < other._key()
        return compare_prerelease(self.prerelease, other.prerelease) < 0

    def __hash__(self) -> int:
        return hash((self._key(), self.prerelease))

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + self.build
        return text

    def __repr__(self) -> str:
        return f"Version({str(self)!r})"

    def bump(self, part: str) -> Version:
        """Next "major", "minor" or "patch" version; a pre-release bumps to its own release first."""
        if part == "major":
            if self.prerelease and self.minor == 0 and self.patch == 0:
                return Version(self.major)
            return Version(self.major + 1)
        if part == "minor":
            if self.prerelease and self.patch == 0:
                return Version(self.major, self.minor)
            return Version(self.major, self.minor + 1)
        if part == "patch":
            if self.prerelease:
                return Version(self.major, self.minor, self.patch)
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown part {part!r}")
