"""Local debug preview server."""

import socketserver
from http.server import SimpleHTTPRequestHandler


def make_server(port: int = 0) -> socketserver.TCPServer:
    socketserver.TCPServer.allow_reuse_address = True
    return socketserver.TCPServer(("0.0.0.0", port), SimpleHTTPRequestHandler)
