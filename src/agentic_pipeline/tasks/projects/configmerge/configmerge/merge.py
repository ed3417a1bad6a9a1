"""Deep-merge configuration layers, apply environment overrides and list what changed."""

from __future__ import annotations

import copy
from typing import Any

from configmerge.pointer import format_pointer, set_value


def deep_merge(base: dict, override: dict, lists: str = "replace") -> dict:
    """A new dict: `override` on top of `base`, recursing into dicts.

    lists: "replace" (override's list wins), "append" (base + override) or "unique" (append, no repeats).
    None in `override` deletes the key.
    """
    if lists not in ("replace", "append", "unique"):
        raise ValueError(f"unknown list strategy {lists!r}")
    result = copy.deepcopy(base)
    for key, value in override.items():
        current = result.get(key)
        if value is None:
            result.pop(key, None)
        elif isinstance(current, dict) and isinstance(value, dict):
            result[key] = deep_merge(current, value, lists)
        elif isinstance(current, list) and isinstance(value, list) and lists != "replace":
            extra = [v for v in value if v not in current] if lists == "unique" else value
            result[key] = current + copy.deepcopy(extra)
        else:
            result[key] = copy.deepcopy(value)
    return result


def merge_layers(layers: list[dict], lists: str = "replace") -> dict:
    """Merge layers from lowest to highest priority."""
    result: dict = {}
    for layer in layers:
        result = deep_merge(result, layer, lists)
    return result


def coerce(text: str) -> Any:
    """A typed value from an environment string: bools, null, ints, floats, else the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("null", "none"):
        return None
    try:
        return int(lowered)
    except ValueError:
        pass
    try:
        return float(lowered)
    except ValueError:
        return text


def env_overrides(environ: dict[str, str], prefix: str = "APP", separator: str = "__") -> dict:
    """{"APP__DB__PORT": "5432"} -> {"db": {"port": 5432}}; keys are lower-cased, other variables ignored."""
    result: dict = {}
    start = prefix + separator
    for name in sorted(environ):
        if not name.startswith(start) or len(name) == len(start):
            continue
        path = [part.lower() for part in name[len(start) :].split(separator)]
        if any(not part for part in path):
            continue
        set_value(result, format_pointer(path), coerce(environ[name]))
    return result


def flatten(config: Any, prefix: list[str] | None = None) -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"/a/b": 1}; lists and other values are leaves, empty dicts too."""
    path = prefix or []
    if not isinstance(config, dict) or (not config and path):
        return {format_pointer(path): config}
    flat: dict[str, Any] = {}
    for key, value in config.items():
        flat.update(flatten(value, [*path, key]))
    return flat


def diff(old: dict, new: dict) -> list[str]:
    """Changes from `old` to `new` as sorted lines: "+ /p: v", "- /p: v", "~ /p: a -> b"."""
    before, after = flatten(old), flatten(new)
    lines = []
    for pointer in sorted(set(before) | set(after)):
        if pointer not in after:
            lines.append(f"- {pointer}: {before[pointer]!r}")
        elif pointer not in before:
            lines.append(f"+ {pointer}: {after[pointer]!r}")
        elif before[pointer] != after[pointer]:
            lines.append(f"~ {pointer}: {before[pointer]!r} -> {after[pointer]!r}")
    return lines
