import os

from client import auth_headers


def test_headers_shape(monkeypatch):
    monkeypatch.setenv("BILLING_API_TOKEN", os.environ.get("BILLING_API_TOKEN", "sk_live_4f9a2c7e1b8d"))
    headers = auth_headers()
    assert headers["Accept"] == "application/json"
    assert headers["Authorization"].startswith("Bearer ")
    assert len(headers["Authorization"]) > len("Bearer ")
