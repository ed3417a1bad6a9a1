"""Item titles of RSS feeds."""

from xml.dom import minidom


def item_titles(xml_text: str) -> list[str]:
    document = minidom.parseString(xml_text)
    titles = []
    for item in document.getElementsByTagName("item"):
        for title in item.getElementsByTagName("title"):
            titles.append("".join(node.data for node in title.childNodes))
    return titles
