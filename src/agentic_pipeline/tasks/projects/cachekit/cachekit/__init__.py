"""Small in-memory caches."""
