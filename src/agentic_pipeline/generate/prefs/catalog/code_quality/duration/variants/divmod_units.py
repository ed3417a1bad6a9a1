"""Durations as short human-readable text."""

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def format_duration(seconds: int) -> str:
    """``seconds`` as "1d 2h 3m 4s", zero units left out."""
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    parts = []
    for suffix, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{suffix}")
    return " ".join(parts) or "0s"
