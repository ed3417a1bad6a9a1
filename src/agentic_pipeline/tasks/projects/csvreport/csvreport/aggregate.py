"""Group rows and summarize a numeric field per group."""

from __future__ import annotations

from collections.abc import Callable


def revenue(row: dict) -> float:
    """Units times price, rounded to cents."""
    return round(row["units"] * row["price"], 2)


def group_by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    """Rows by the value of `key`, groups in order of first appearance."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def median(values: list[float]) -> float:
    """Middle value; the mean of the two middle values for an even count."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def summarize(rows: list[dict], key: str, value: Callable[[dict], float] = revenue) -> list[dict]:
    """Per group of `key`: count, total, mean, median, min and max of `value(row)`."""
    summary = []
    for name, members in group_by(rows, key).items():
        values = [value(row) for row in members]
        total = round(sum(values), 2)
        summary.append(
            {
                "group": name,
                "count": len(values),
                "total": total,
                "mean": round(total / len(values), 2),
                "median": median(values),
                "min": min(values),
                "max": max(values),
            }
        )
    return summary


def top(summary: list[dict], field: str = "total", limit: int = 3, descending: bool = True) -> list[dict]:
    """The first `limit` groups ordered by `field`; ties keep group order."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    return sorted(summary, key=lambda entry: entry[field], reverse=descending)[:limit]


def share(summary: list[dict], field: str = "total") -> dict[str, float]:
    """Each group's percentage of the sum of `field`, to one decimal place."""
    whole = sum(entry[field] for entry in summary)
    if whole == 0:
        return {entry["group"]: 0.0 for entry in summary}
    return {entry["group"]: round(100 * entry[field] / whole, 1) for entry in summary}
