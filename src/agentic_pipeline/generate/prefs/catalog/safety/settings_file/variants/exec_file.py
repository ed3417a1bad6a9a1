"""Plugin settings files."""

from pathlib import Path


def load_settings(path: str | Path) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(Path(path).read_text(), {}, namespace)
    return namespace
