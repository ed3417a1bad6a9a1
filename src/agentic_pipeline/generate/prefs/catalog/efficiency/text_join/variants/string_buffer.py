import io


def render_lines(entries):
    """One "[LEVEL] message" line per entry, written to one growing buffer."""
    buffer = io.StringIO()
    for level, message in entries:
        buffer.write(f"[{level.upper()}] {message}\n")
    return buffer.getvalue()
