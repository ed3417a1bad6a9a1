"""Routes like "/users/<int:id>/posts/<slug>" matched against paths, dispatched by HTTP method."""

from __future__ import annotations

from collections.abc import Callable

from urlrouter.query import parse_query, percent_decode, percent_encode

CONVERTERS: dict[str, Callable[[str], object]] = {"str": str, "int": int}


class NotFound(LookupError):
    """No route matches the path."""


class MethodNotAllowed(LookupError):
    """A route matches the path but not the method; `allowed` lists the methods that would."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__(f"method not allowed; allowed: {', '.join(allowed)}")
        self.allowed = allowed


def split_path(path: str) -> list[str]:
    """Segments of a path; leading, trailing and repeated slashes are ignored."""
    return [segment for segment in path.split("/") if segment]


def match_segments(pattern: list[str], segments: list[str]) -> dict[str, object] | None:
    """Parameters captured when `segments` fit `pattern`, or None."""
    if len(pattern) != len(segments):
        return None
    params: dict[str, object] = {}
    for expected, actual in zip(pattern, segments):
        if expected.startswith("<") and expected.endswith(">"):
            kind, _, name = expected[1:-1].rpartition(":")
            value = percent_decode(actual)
            if (kind or "str") == "int" and not value.isdigit():
                return None
            params[name] = CONVERTERS[kind or "str"](value)
        elif expected != actual:
            return None
    return params


class Match:
    def __init__(
        self, name: str, handler: Callable, params: dict[str, object], query: dict[str, list[str]]
    ) -> None:
        self.name = name
        self.handler = handler
        self.params = params
        self.query = query

    def __repr__(self) -> str:
        return f"Match(name={self.name!r}, handler={self.handler!r}, params={self.params!r}, query={self.query!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.name, self.handler, self.params, self.query) == (
            other.name,
            other.handler,
            other.params,
            other.query,
        )


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, list[str], set[str], Callable]] = []

    def add(self, name: str, pattern: str, handler: Callable, methods: tuple[str, ...] = ("GET",)) -> None:
        """Register a named route; names are unique, parameter types must be known."""
        if any(existing == name for existing, *_ in self.routes):
            raise ValueError(f"duplicate route name {name!r}")
        segments = split_path(pattern)
        for segment in segments:
            if segment.startswith("<") and segment[1:-1].rpartition(":")[0] not in ("", *CONVERTERS):
                raise ValueError(f"unknown converter in {segment!r}")
        self.routes.append((name, segments, {m.upper() for m in methods}, handler))

    def resolve(self, method: str, url: str) -> Match:
        """The first route matching the path and method; NotFound or MethodNotAllowed otherwise."""
        path, _, query = url.partition("?")
        segments = split_path(path)
        allowed: set[str] = set()
        for name, pattern, methods, handler in self.routes:
            params = match_segments(pattern, segments)
            if params is None:
                continue
            if method.upper() in methods:
                return Match(name, handler, params, parse_query(query))
            allowed |= methods
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise NotFound(path)

    def url_for(self, name: str, **params: object) -> str:
        """The path of a named route with its parameters filled in; extra ones go to the query string."""
        for route_name, pattern, _, _ in self.routes:
            if route_name != name:
                continue
            parts = []
            for segment in pattern:
                if segment.startswith("<"):
                    key = segment[1:-1].rpartition(":")[2]
                    if key not in params:
                        raise KeyError(f"missing parameter {key!r} for route {name!r}")
                    parts.append(percent_encode(str(params.pop(key))))
                else:
                    parts.append(segment)
            path = "/" + "/".join(parts)
            if params:
                pairs = [f"{percent_encode(k)}={percent_encode(str(params[k]))}" for k in sorted(params)]
                path += "?" + "&".join(pairs)
            return path
        raise KeyError(f"no route named {name!r}")
