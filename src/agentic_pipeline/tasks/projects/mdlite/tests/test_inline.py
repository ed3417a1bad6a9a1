import pytest

from mdlite.inline import escape_html, find_closing, parse_link, render_inline


def test_escape_html():
    assert escape_html('a < b & "c" > d') == "a &lt; b &amp; &quot;c&quot; &gt; d"
    assert escape_html("&lt;") == "&amp;lt;"
    assert escape_html("plain") == "plain"


def test_find_closing():
    assert find_closing("ab*c", "*", 0) == 2
    assert find_closing("a *b* c", "*", 3) == 4
    assert find_closing("a * b", "*", 1) == -1
    assert find_closing("x **y**", "**", 3) == 5
    assert find_closing("*", "*", 0) == -1
    assert find_closing("b *c", "*", 0) == -1
    assert find_closing("a **", "*", 1) == 3


def test_parse_link():
    assert parse_link("[home](/index.html) rest", 0) == ("home", "/index.html", 19)
    assert parse_link("see [a]( b ) now", 4) == ("a", "b", 12)
    assert parse_link("[a](b c)", 0) is None
    assert parse_link("[](b)", 0) is None
    assert parse_link("[a]()", 0) is None
    assert parse_link("[a](b", 0) is None
    assert parse_link("[a] (b)", 0) is None
    assert parse_link("[a]b)", 0) is None
    assert parse_link("[a]()x)", 0) is None
    assert parse_link("[f(x)](/u)", 0) == ("f(x)", "/u", 10)


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("plain text", "plain text"),
        ("use `x < y` here", "use <code>x &lt; y</code> here"),
        ("`**not bold**`", "<code>**not bold**</code>"),
        ("**bold** and *it*", "<strong>bold</strong> and <em>it</em>"),
        ("**bold *nested* x**", "<strong>bold <em>nested</em> x</strong>"),
        ("a * b * c", "a * b * c"),
        ("* no", "* no"),
        ("**", "**"),
        ("x*", "x*"),
        ("*open", "*open"),
        ("a `` b", "a <code></code> b"),
        ("unclosed `tick", "unclosed `tick"),
        ("[docs](https://e.x/a?b=1&c=2)", '<a href="https://e.x/a?b=1&amp;c=2">docs</a>'),
        ("[**big**](/b)", '<a href="/b"><strong>big</strong></a>'),
        ("[broken](no", "[broken](no"),
        (r"\*literal\* and \\", "*literal* and \\"),
        ("back\\slash\\q", "back\\slash\\q"),
        ("trailing \\", "trailing \\"),
        ("<script>", "&lt;script&gt;"),
    ],
)
def test_render_inline(source, html):
    assert render_inline(source) == html
