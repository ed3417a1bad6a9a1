"""Rate limiting on an injected clock."""
