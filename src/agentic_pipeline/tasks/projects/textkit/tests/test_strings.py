import pytest

from textkit.strings import pluralize, slugify, title_case, truncate, wrap


def test_slugify():
    assert slugify("Héllo, Wörld!") == "hello-world"
    assert slugify("  --Already--slugged-- ") == "already-slugged"
    assert slugify("Ünïcödé Text", "_") == "unicode_text"
    assert slugify("Step 2: profit") == "step-2-profit"
    assert slugify("!!!") == ""
    assert slugify("日本") == ""


def test_slugify_max_length_does_not_end_in_separator():
    assert slugify("a b c d", max_length=4) == "a-b"
    assert slugify("a b c d", max_length=5) == "a-b-c"
    assert slugify("word " * 20) == ("word-" * 10)[:50].rstrip("-")
    assert len(slugify("x" * 80)) == 50


def test_truncate():
    assert truncate("The quick brown fox jumps", 15) == "The quick..."
    assert truncate("Supercalifragilistic", 10) == "Superca..."
    assert truncate("short", 10) == "short"
    assert truncate("exactly ten", 11) == "exactly ten"
    assert truncate("one two three", 9, suffix="…") == "one two…"
    assert truncate("abc def", 3) == "..."
    assert truncate(" abcdefgh", 7) == " abc..."
    assert truncate("a bcdefgh", 7) == "a..."


def test_truncate_rejects_limit_below_suffix():
    with pytest.raises(ValueError):
        truncate("anything", 2)


def test_wrap():
    assert wrap("the quick brown fox jumps over the lazy dog", 10) == [
        "the quick",
        "brown fox",
        "jumps over",
        "the lazy",
        "dog",
    ]
    assert wrap("  spaced   out  ", 20) == ["spaced out"]
    assert wrap("", 10) == []


def test_wrap_splits_long_words():
    assert wrap("abcdefghijkl mn", 5) == ["abcde", "fghij", "kl mn"]
    assert wrap("hi abcdefg", 3) == ["hi", "abc", "def", "g"]
    assert wrap("a b", 1) == ["a", "b"]
    with pytest.raises(ValueError):
        wrap("a", 0)


def test_wrap_default_width():
    lines = wrap("word " * 40)
    assert len(lines[0]) == 69
    assert all(len(line) <= 70 for line in lines)
    assert wrap("a" * 35 + " " + "b" * 34) == ["a" * 35 + " " + "b" * 34]
    assert wrap("a" * 35 + " " + "b" * 35) == ["a" * 35, "b" * 35]


def test_title_case():
    assert title_case("the lord of the rings") == "The Lord of the Rings"
    assert title_case("a tale OF two cities") == "A Tale of Two Cities"
    assert title_case("what it is for") == "What It Is For"
    assert title_case("of") == "Of"
    assert title_case("war and peace") == "War and Peace"
    assert title_case("") == ""


def test_pluralize():
    assert pluralize(1, "file") == "1 file"
    assert pluralize(2, "file") == "2 files"
    assert pluralize(0, "box") == "0 boxes"
    assert pluralize(5, "church") == "5 churches"
    assert pluralize(2, "bus") == "2 buses"
    assert pluralize(3, "child", "children") == "3 children"
    assert pluralize(1, "child", "children") == "1 child"
    assert pluralize(-1, "degree") == "-1 degrees"
