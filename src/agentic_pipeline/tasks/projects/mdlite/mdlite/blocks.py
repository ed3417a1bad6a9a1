"""Block-level Markdown: headings, paragraphs, lists, code fences and rules, rendered to HTML."""

from __future__ import annotations

import re

from mdlite.inline import escape_html, render_inline

MAX_HEADING = 6


def heading_level(line: str) -> int:
    """Level of an ATX heading ("## Title" -> 2), or 0 when the line is not a heading."""
    count = len(line) - len(line.lstrip("#"))
    if count == 0 or count > MAX_HEADING:
        return 0
    if len(line) == count or line[count] != " ":
        return 0
    return count


def slugify(title: str) -> str:
    """An id for a heading: lower case, words joined by hyphens, punctuation dropped."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)


def is_rule(line: str) -> bool:
    """A horizontal rule: three or more '-' or '*' and nothing else but spaces."""
    compact = line.replace(" ", "")
    return len(compact) >= 3 and (set(compact) == {"-"} or set(compact) == {"*"})


def split_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Group lines into blocks: (kind, lines) with kind in heading, code, rule, ul, ol, p."""
    blocks: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            blocks.append(("code", lines[i + 1 : end]))
            i = end + 1
        elif heading_level(line):
            blocks.append(("heading", [line]))
            i += 1
        elif is_rule(line):
            blocks.append(("rule", []))
            i += 1
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(lines[i][2:].strip())
                i += 1
            blocks.append(("ul", items))
        elif re.match(r"\d+\. ", line):
            items = []
            while i < len(lines) and re.match(r"\d+\. ", lines[i]):
                items.append(lines[i].split(". ", 1)[1].strip())
                i += 1
            blocks.append(("ol", items))
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            blocks.append(("p", paragraph))
    return blocks


def _starts_block(line: str) -> bool:
    """Whether `line` opens a block other than a paragraph (and so ends one)."""
    return bool(line.startswith(("```", "- ")) or heading_level(line) or is_rule(line))


def render_block(kind: str, lines: list[str]) -> str:
    """Render one block from split_blocks to HTML."""
    if kind == "heading":
        level = heading_level(lines[0])
        title = lines[0][level + 1 :].strip()
        return f'<h{level} id="{slugify(title)}">{render_inline(title)}</h{level}>'
    if kind == "code":
        return "<pre><code>" + escape_html("\n".join(lines)) + "</code></pre>"
    if kind == "rule":
        return "<hr>"
    if kind in ("ul", "ol"):
        items = "".join(f"<li>{render_inline(item)}</li>" for item in lines)
        return f"<{kind}>{items}</{kind}>"
    return "<p>" + render_inline(" ".join(lines)) + "</p>"


def render(text: str) -> str:
    """Render a Markdown-lite document to HTML, one block per line."""
    return "\n".join(render_block(kind, lines) for kind, lines in split_blocks(text))


def table_of_contents(text: str, max_level: int = 3) -> list[tuple[int, str, str]]:
    """(level, title, id) of each heading up to `max_level`, outside code fences, in order."""
    entries = []
    for kind, lines in split_blocks(text):
        if kind != "heading":
            continue
        level = heading_level(lines[0])
        if level <= max_level:
            title = lines[0][level + 1 :].strip()
            entries.append((level, title, slugify(title)))
    return entries
