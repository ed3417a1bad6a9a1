def newest_first(lines):
    """Stripped non-empty lines, newest first."""
    result = []
    for line in lines:
        if line.strip():
            result.insert(0, line.strip())
    return result
