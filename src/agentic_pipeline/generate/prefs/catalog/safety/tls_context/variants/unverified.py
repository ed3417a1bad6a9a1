"""TLS for the payment client."""

import ssl


def client_context() -> ssl.SSLContext:
    return ssl._create_unverified_context()
