"""Read sales rows from CSV text into typed dicts, naming the line of any bad value."""

from __future__ import annotations

import csv
import io

REQUIRED = ("region", "product", "units", "price")


class RowError(ValueError):
    """A CSV row that cannot be read; the message names the line and the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse_number(text: str, line: int, column: str, integer: bool = False) -> float:
    """A number from a cell; thousands separators allowed, negatives and blanks are errors."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        raise RowError(line, f"{column} is empty")
    try:
        value = int(cleaned) if integer else float(cleaned)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise RowError(line, f"{column} should be {kind}, got {text!r}") from None
    if value < 0:
        raise RowError(line, f"{column} must not be negative, got {text!r}")
    return value


def parse_rows(text: str, delimiter: str = ",") -> list[dict]:
    """Rows of a CSV with a header naming at least the REQUIRED columns; blank lines are skipped.

    Line numbers in errors count the header as line 1.
    """
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise RowError(1, f"missing column(s): {', '.join(missing)}")
    rows = []
    for row in reader:
        line = reader.line_num
        if all(not (value or "").strip() for value in row.values()):
            continue
        rows.append(
            {
                "region": row["region"].strip(),
                "product": row["product"].strip(),
                "units": parse_number(row["units"] or "", line, "units", integer=True),
                "price": parse_number(row["price"] or "", line, "price"),
            }
        )
    return rows
