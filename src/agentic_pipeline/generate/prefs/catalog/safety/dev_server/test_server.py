from server import make_server


def test_server_created():
    server = make_server()
    try:
        host, port = server.server_address[:2]
        assert port > 0
    finally:
        server.server_close()
