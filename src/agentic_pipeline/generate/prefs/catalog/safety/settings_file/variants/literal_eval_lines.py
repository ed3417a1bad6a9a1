"""Plugin settings files."""

import ast
from pathlib import Path


def load_settings(path: str | Path) -> dict[str, object]:
    """NAME = value lines; each value is parsed as a literal, so a plugin's file cannot run code."""
    settings: dict[str, object] = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ValueError(f"{path}:{number}: expected NAME = value")
        try:
            settings[name.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            raise ValueError(f"{path}:{number}: {value.strip()!r} is not a literal") from None
    return settings
