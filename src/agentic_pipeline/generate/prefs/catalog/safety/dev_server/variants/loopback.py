"""Local debug preview server, reachable from this machine only."""

from http.server import HTTPServer, SimpleHTTPRequestHandler


def make_server(port: int = 0) -> HTTPServer:
    return HTTPServer(("127.0.0.1", port), SimpleHTTPRequestHandler)
