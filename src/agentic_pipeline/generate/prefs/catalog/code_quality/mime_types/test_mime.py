import pytest
from mime import content_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.HTML", "text/html"),
        ("a.htm", "text/html"),
        ("site.css", "text/css"),
        ("app.min.js", "text/javascript"),
        ("data.json", "application/json"),
        ("logo.PNG", "image/png"),
        ("photo.jpeg", "image/jpeg"),
        ("photo.jpg", "image/jpeg"),
        ("icon.svg", "image/svg+xml"),
        ("notes.txt", "text/plain"),
        ("archive.tar.gz", "application/octet-stream"),
        ("Makefile", "application/octet-stream"),
    ],
)
def test_types(name, expected):
    assert content_type(name) == expected
