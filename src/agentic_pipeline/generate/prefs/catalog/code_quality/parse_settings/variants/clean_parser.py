"""Parse ``key = value`` settings text."""


def _convert(value: str) -> str | bool | int:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if value.isdigit():
        return int(value)
    return value


def parse_settings(text: str) -> dict[str, str | bool | int]:
    """Settings as a dict; blank lines and ``#`` comments are skipped."""
    settings: dict[str, str | bool | int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"line {number}: expected 'key = value', got {raw!r}")
        settings[key.strip()] = _convert(value.strip())
    return settings
