"""Local debug preview server."""

from http.server import HTTPServer, SimpleHTTPRequestHandler


def make_server(port: int = 0) -> HTTPServer:
    return HTTPServer(("0.0.0.0", port), SimpleHTTPRequestHandler)
