def newest_first(lines):
    """Stripped non-empty lines, newest first."""
    stripped = (line.strip() for line in lines[::-1])
    return [line for line in stripped if line]
