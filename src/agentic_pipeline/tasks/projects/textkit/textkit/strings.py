"""Slugs, truncation, word wrapping and case helpers for text shown to people."""

from __future__ import annotations

import unicodedata

SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}


def slugify(text: str, separator: str = "-", max_length: int = 50) -> str:
    """ "Héllo, Wörld!" -> "hello-world": ASCII letters and digits, runs of others become one separator."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = []
    current = ""
    for char in ascii_text.lower():
        if char.isalnum():
            current += char
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    slug = separator.join(words)
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip(separator)
    return slug


def truncate(text: str, limit: int, suffix: str = "...") -> str:
    """At most `limit` characters, cut at a word boundary when possible, `suffix` included."""
    if limit < len(suffix):
        raise ValueError("limit must leave room for the suffix")
    if len(text) <= limit:
        return text
    cut = text[: limit - len(suffix)]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + suffix


def wrap(text: str, width: int = 70) -> list[str]:
    """Greedy word wrap; a word longer than `width` is split across lines."""
    if width < 1:
        raise ValueError("width must be positive")
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def title_case(text: str) -> str:
    """Capitalize words except small ones in the middle: "the lord of the rings" -> "The Lord of the Rings"."""
    words = text.lower().split()
    result = []
    for index, word in enumerate(words):
        if 0 < index < len(words) - 1 and word in SMALL_WORDS:
            result.append(word)
        else:
            result.append(word[:1].upper() + word[1:])
    return " ".join(result)


def pluralize(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 file", "2 files", "0 boxes": -s, or -es after s, x, z, ch, sh; or the given plural."""
    if count == 1:
        return f"{count} {singular}"
    if plural is None:
        plural = singular + ("es" if singular.endswith(("s", "x", "z", "ch", "sh")) else "s")
    return f"{count} {plural}"
