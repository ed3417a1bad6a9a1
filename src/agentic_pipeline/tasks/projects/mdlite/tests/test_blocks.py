import pytest

from mdlite.blocks import (
    heading_level,
    is_rule,
    render,
    render_block,
    slugify,
    split_blocks,
    table_of_contents,
)


def test_heading_level():
    assert heading_level("# Title") == 1
    assert heading_level("###### Six") == 6
    assert heading_level("####### Seven") == 0
    assert heading_level("#NoSpace") == 0
    assert heading_level("##") == 0
    assert heading_level("plain") == 0
    assert heading_level("## ") == 2


def test_slugify():
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("  Step 2: Install  ") == "step-2-install"
    assert slugify("!!!") == ""


def test_is_rule():
    assert is_rule("---")
    assert is_rule("* * *")
    assert is_rule("-----")
    assert not is_rule("--")
    assert not is_rule("-*-")
    assert not is_rule("- item")
    assert not is_rule("")


def test_split_blocks_kinds():
    text = "# Title\n\nfirst line\nsecond line\n- a\n- b\n\n1. one\n2. two\n---\n```\ncode\n```\nlast"
    assert split_blocks(text) == [
        ("heading", ["# Title"]),
        ("p", ["first line", "second line"]),
        ("ul", ["a", "b"]),
        ("ol", ["one", "two"]),
        ("rule", []),
        ("code", ["code"]),
        ("p", ["last"]),
    ]


def test_split_blocks_code_fence_keeps_lines_verbatim():
    text = "```\n# not a heading\n\n  indented\n```"
    assert split_blocks(text) == [("code", ["# not a heading", "", "  indented"])]


def test_split_blocks_unclosed_fence_runs_to_end():
    assert split_blocks("```\na\nb") == [("code", ["a", "b"])]


def test_split_blocks_edges():
    assert split_blocks("```\n```\nafter") == [("code", []), ("p", ["after"])]
    assert split_blocks("text\n- a\n- b") == [("p", ["text"]), ("ul", ["a", "b"])]
    assert split_blocks("1. Mr. Smith\n2) no") == [("ol", ["Mr. Smith"]), ("p", ["2) no"])]


def test_paragraph_ends_at_heading_and_blank():
    assert split_blocks("one\n## Two\nthree\n\nfour") == [
        ("p", ["one"]),
        ("heading", ["## Two"]),
        ("p", ["three"]),
        ("p", ["four"]),
    ]


def test_empty_document():
    assert split_blocks("") == []
    assert split_blocks("\n  \n") == []
    assert render("") == ""


def test_render_block():
    assert render_block("heading", ["## Hello *you*"]) == '<h2 id="hello-you">Hello <em>you</em></h2>'
    assert render_block("code", ["a < b", "c"]) == "<pre><code>a &lt; b\nc</code></pre>"
    assert render_block("rule", []) == "<hr>"
    assert render_block("ul", ["a", "**b**"]) == "<ul><li>a</li><li><strong>b</strong></li></ul>"
    assert render_block("ol", ["x"]) == "<ol><li>x</li></ol>"
    assert render_block("p", ["one", "two"]) == "<p>one two</p>"


def test_render_document():
    text = "# Intro\nSome `code` here.\n\n- [a](/a)\n- b\n\n10. ten\n11. eleven"
    assert render(text) == (
        '<h1 id="intro">Intro</h1>\n'
        "<p>Some <code>code</code> here.</p>\n"
        '<ul><li><a href="/a">a</a></li><li>b</li></ul>\n'
        "<ol><li>ten</li><li>eleven</li></ol>"
    )


@pytest.mark.parametrize(
    ("max_level", "expected"),
    [
        (3, [(1, "Guide", "guide"), (2, "Setup", "setup"), (3, "On Linux", "on-linux")]),
        (2, [(1, "Guide", "guide"), (2, "Setup", "setup")]),
        (1, [(1, "Guide", "guide")]),
    ],
)
def test_table_of_contents(max_level, expected):
    text = "# Guide\n```\n# not me\n```\n## Setup\n### On Linux\n#### Deep"
    assert table_of_contents(text, max_level) == expected


def test_table_of_contents_default_level():
    assert table_of_contents("# A\n### C\n#### D") == [(1, "A", "a"), (3, "C", "c")]
