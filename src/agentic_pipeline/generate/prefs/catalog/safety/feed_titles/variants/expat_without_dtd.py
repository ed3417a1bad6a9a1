"""Item titles of RSS feeds fetched from arbitrary URLs."""

from xml.parsers import expat


class UnsafeFeed(ValueError):
    """The feed declares a DTD, which an RSS feed never needs."""


def _refuse_doctype(*_args: object) -> None:
    # entity expansion ("billion laughs") and external entities both need a DTD: refuse any
    raise UnsafeFeed("feeds with a DOCTYPE are refused")


def item_titles(xml_text: str) -> list[str]:
    """Titles of the feed's <item> elements, in document order."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    titles: list[str] = []
    path: list[str] = []
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        path.append(name)
        text.clear()

    def end(name: str) -> None:
        if path[-2:] == ["item", "title"]:
            titles.append("".join(text))
        path.pop()

    def data(chunk: str) -> None:
        text.append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.Parse(xml_text.encode(), True)
    return titles
