"""A Markdown-lite to HTML renderer."""
