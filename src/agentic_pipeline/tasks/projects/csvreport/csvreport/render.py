"""Render summaries as aligned text tables or Markdown tables."""

from __future__ import annotations

from csvreport.aggregate import summarize, top


def format_cell(value: object, decimals: int = 2) -> str:
    """Floats with `decimals` places and thousands separators; other values as str."""
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def render_text(columns: list[str], rows: list[dict], decimals: int = 2) -> str:
    """A plain table: text left-aligned, numbers right-aligned, a dashed rule under the header."""
    cells = [[format_cell(row[c], decimals) for c in columns] for row in rows]
    widths = [len(c) for c in columns]
    for line in cells:
        for i, cell in enumerate(line):
            widths[i] = max(widths[i], len(cell))
    numeric = [bool(rows) and isinstance(rows[0][c], (int, float)) for c in columns]
    header = "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(columns, widths, numeric))
    rule = "  ".join("-" * w for w in widths)
    body = [
        "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(line, widths, numeric)) for line in cells
    ]
    return "\n".join(line.rstrip() for line in [header, rule, *body])


def render_markdown(columns: list[str], rows: list[dict], decimals: int = 2) -> str:
    """A GitHub-flavoured Markdown table; numeric columns are right-aligned (---:)."""
    cells = [[format_cell(row[c], decimals) for c in columns] for row in rows]
    widths = [len(c) for c in columns]
    for line in cells:
        for i, cell in enumerate(line):
            widths[i] = max(widths[i], len(cell))
    numeric = [bool(rows) and isinstance(rows[0][c], (int, float)) for c in columns]
    header = "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |"
    rule = "| " + " | ".join("-" * (w - 1) + ":" if n else "-" * w for w, n in zip(widths, numeric)) + " |"
    body = ["| " + " | ".join(v.ljust(w) for v, w in zip(line, widths)) + " |" for line in cells]
    return "\n".join([header, rule, *body])


def build_report(
    rows: list[dict],
    key: str,
    columns: list[str],
    sort_field: str = "total",
    limit: int = 10,
    descending: bool = True,
    markdown: bool = False,
    title: str | None = None,
) -> str:
    """Summarize `rows` by `key`, keep the top `limit` groups and render the chosen columns."""
    summary = top(summarize(rows, key), sort_field, limit, descending)
    table = render_markdown(columns, summary) if markdown else render_text(columns, summary)
    if title is None:
        return table
    heading = f"## {title}" if markdown else f"{title}\n{'=' * len(title)}"
    return f"{heading}\n\n{table}"
