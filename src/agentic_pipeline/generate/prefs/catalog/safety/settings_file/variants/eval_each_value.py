"""Plugin settings files."""

from pathlib import Path


def load_settings(path: str | Path) -> dict[str, object]:
    settings: dict[str, object] = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        settings[name.strip()] = eval(value.strip())
    return settings
