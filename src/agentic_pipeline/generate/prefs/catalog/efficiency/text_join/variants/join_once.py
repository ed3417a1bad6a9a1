def render_lines(entries):
    """One "[LEVEL] message" line per entry."""
    return "".join(f"[{level.upper()}] {message}\n" for level, message in entries)
