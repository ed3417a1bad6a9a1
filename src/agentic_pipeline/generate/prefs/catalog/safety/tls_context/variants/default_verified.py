"""TLS for the payment client: certificates and host names are verified (the default context)."""

import ssl


def client_context() -> ssl.SSLContext:
    return ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
