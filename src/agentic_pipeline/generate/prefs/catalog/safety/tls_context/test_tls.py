import ssl

from tls import client_context


def test_is_a_client_context():
    context = client_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.protocol == ssl.PROTOCOL_TLS_CLIENT
