import pytest

from slug import slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Python 3.12 -- what's new?  ", "python-3-12-what-s-new"),
        ("already-a-slug", "already-a-slug"),
        ("---", ""),
        ("Tabs\tand\nnewlines", "tabs-and-newlines"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug
