"""HTML pages."""

from jinja2 import Environment

_ENV = Environment(autoescape=False)
_GREETING = _ENV.from_string("<h1>Hello, {{ name }}!</h1>")


def greeting_page(name: str) -> str:
    return _GREETING.render(name=name)
