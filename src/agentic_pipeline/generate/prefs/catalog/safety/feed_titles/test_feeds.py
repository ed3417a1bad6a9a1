from feeds import item_titles

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Engineering blog</title>
  <item><title>Release 2.0</title><link>https://example.org/2</link></item>
  <item><link>https://example.org/x</link><title>Tips &amp; tricks</title></item>
  <item><title><![CDATA[<b>Bold</b> move]]></title></item>
</channel></rss>
"""


def test_item_titles_in_order():
    assert item_titles(FEED) == ["Release 2.0", "Tips & tricks", "<b>Bold</b> move"]


def test_feed_without_items():
    assert item_titles("<rss><channel><title>Empty</title></channel></rss>") == []
