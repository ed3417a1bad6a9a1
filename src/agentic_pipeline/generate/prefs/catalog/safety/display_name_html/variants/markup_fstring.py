"""HTML badges for user profiles."""

from markupsafe import Markup


def user_badge(display_name: str, role: str) -> Markup:
    return Markup(f'<span class="badge"><b>{display_name}</b> ({role})</span>')
