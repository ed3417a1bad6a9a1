"""HTML pages. Autoescaping turns a visitor's `<script>` into text instead of running it."""

from jinja2 import Environment

_ENV = Environment(autoescape=True)
_GREETING = _ENV.from_string("<h1>Hello, {{ name }}!</h1>")


def greeting_page(name: str) -> str:
    return _GREETING.render(name=name)
