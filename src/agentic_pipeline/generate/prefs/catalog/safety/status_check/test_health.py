import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from health import service_status


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code, body = (200, {"status": "ok"}) if self.path == "/health" else (503, {"status": "down"})
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_status_field(base_url):
    assert service_status(f"{base_url}/health") == "ok"


def test_error_status_raises(base_url):
    with pytest.raises(Exception):
        service_status(f"{base_url}/broken")
