"""Inline Markdown: `code`, **strong**, *emphasis*, [links](url) and backslash escapes, to HTML."""

from __future__ import annotations

ESCAPABLE = "\\`*[]()#-"


def escape_html(text: str) -> str:
    """Escape the characters that are special in HTML text and attribute values."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def find_closing(text: str, marker: str, start: int) -> int:
    """Index of the first `marker` at or after `start` that can close a span, or -1.

    A closing marker must directly follow a non-space character, so "a * b" is not emphasis.
    """
    index = text.find(marker, start)
    while index != -1:
        if index > start and text[index - 1] != " ":
            return index
        index = text.find(marker, index + 1)
    return -1


def parse_link(text: str, start: int) -> tuple[str, str, int] | None:
    """Parse "[label](url)" at `start`; return (label, url, index after the link) or None."""
    middle = text.find("](", start)
    if middle == -1:
        return None
    end = text.find(")", middle + 2)
    if end == -1:
        return None
    label = text[start + 1 : middle]
    url = text[middle + 2 : end].strip()
    if not label or not url or " " in url:
        return None
    return label, url, end + 1


def _span(text: str, i: int, marker: str, tag: str) -> tuple[str, int] | None:
    """Render a `marker`-delimited span opening at `i`, or None when it does not close."""
    inner_start = i + len(marker)
    if inner_start >= len(text) or text[inner_start] == " ":
        return None
    end = find_closing(text, marker, inner_start)
    if end == -1:
        return None
    return f"<{tag}>{render_inline(text[inner_start:end])}</{tag}>", end + len(marker)


def render_inline(text: str) -> str:
    """Render one line of inline Markdown to HTML; unmatched markers stay literal."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            out.append(escape_html(text[i + 1]))
            i += 2
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end != -1:
                out.append(f"<code>{escape_html(text[i + 1 : end])}</code>")
                i = end + 1
                continue
        span = None
        if text.startswith("**", i):
            span = _span(text, i, "**", "strong")
        elif char == "*":
            span = _span(text, i, "*", "em")
        elif char == "[":
            link = parse_link(text, i)
            if link is not None:
                label, url, after = link
                span = f'<a href="{escape_html(url)}">{render_inline(label)}</a>', after
        if span is not None:
            out.append(span[0])
            i = span[1]
            continue
        out.append(escape_html(char))
        i += 1
    return "".join(out)
