"""Semantic versioning: versions and ranges."""
