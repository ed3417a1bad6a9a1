"""A small stock ledger with exact money arithmetic."""
