"""HTML badges for user profiles."""

from markupsafe import Markup


def user_badge(display_name: str, role: str) -> Markup:
    """Markup.format escapes its arguments: a name like ``<script>`` is shown, never run."""
    return Markup('<span class="badge"><b>{}</b> ({})</span>').format(display_name, role)
