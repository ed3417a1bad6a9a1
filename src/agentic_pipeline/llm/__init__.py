"""Talking to teacher LLMs at scale: prices, the cost ledger, rate limits, retries, batches, dry runs."""
