"""Content types by file extension."""

from pathlib import PurePath

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
}
DEFAULT = "application/octet-stream"


def content_type(filename: str) -> str:
    """The content type for ``filename``'s extension (case-insensitive)."""
    return _TYPES.get(PurePath(filename).suffix.lower(), DEFAULT)
