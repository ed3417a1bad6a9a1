def render_lines(entries):
    """One "[LEVEL] message" line per entry."""
    text = ""
    for level, message in entries:
        text = text + "[" + level.upper() + "] " + message + "\n"
    return text
