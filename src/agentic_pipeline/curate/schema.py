"""Schema check: a parsed line becomes a typed record of its kind, or a readable reason why not.

The kind comes from the record's ``kind`` field or, when absent, from the folder it sits in
(``trajectories/`` -> trajectory, see ``agentic_pipeline.layout``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agentic_pipeline.records import KINDS, parse_record

_MAX_ERRORS_SHOWN = 3


def _format(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    parts = []
    for err in errors[:_MAX_ERRORS_SHOWN]:
        loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p in KINDS)) or "record"
        parts.append(f"{loc}: {err['msg']}")
    more = len(errors) - _MAX_ERRORS_SHOWN
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def check_schema(obj: dict[str, Any], path_kind: str | None) -> tuple[Any, str | None]:
    """(record, None) when valid, else (None, reason)."""
    kind = obj.get("kind", path_kind)
    if kind is None:
        return (
            None,
            "no `kind` field and the file is not under a kind's folder (trajectories/, reasoning/, ...)",
        )
    if kind not in KINDS:
        return None, f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}"
    if path_kind is not None and kind != path_kind:
        return None, f"record kind {kind!r} is in the {path_kind!r} folder"
    try:
        return parse_record(obj, kind=path_kind), None
    except ValidationError as exc:
        return None, _format(exc)
