"""URL slugs."""

import re

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """Lower-case ASCII letters and digits, other runs replaced by one dash."""
    return _NOT_ALNUM.sub("-", title.lower()).strip("-")
