"""Route URLs to handlers."""
