"""Parse and evaluate arithmetic expressions."""
