"""Item titles of RSS feeds."""

import xml.etree.ElementTree as ET


def item_titles(xml_text: str) -> list[str]:
    root = ET.fromstring(xml_text)
    return [item.findtext("title") for item in root.iter("item") if item.find("title") is not None]
