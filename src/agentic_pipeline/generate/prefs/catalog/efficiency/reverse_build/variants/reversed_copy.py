def newest_first(lines):
    """Stripped non-empty lines, newest first."""
    return [line.strip() for line in reversed(lines) if line.strip()]
