"""Bank accounts and transfers between them."""
