"""HTML badges for user profiles."""

from markupsafe import Markup


def user_badge(display_name: str, role: str) -> Markup:
    html = '<span class="badge"><b>%s</b> (%s)</span>' % (display_name, role)
    return Markup(html)
