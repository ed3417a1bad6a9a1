"""The page: a jinja2 template with its stylesheet and the viewer's script inlined (no network, no server)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

ASSETS = ("page.html.jinja", "page.css", "viewer.js")


def _asset(name: str) -> str:
    return resources.files("agentic_pipeline.report").joinpath(name).read_text(encoding="utf-8")


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def render_page(context: dict[str, Any]) -> str:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["num"] = _number
    env.filters["pct"] = lambda v: "-" if v is None else f"{v:.1%}"
    template = env.from_string(_asset("page.html.jinja"))
    # The script must not contain "</script": it is inlined as it is.
    script = _asset("viewer.js")
    if "</script" in script.lower():
        raise ValueError("viewer.js contains '</script', which would end the inline script early")
    return template.render(**context, css=_asset("page.css"), script=script)
