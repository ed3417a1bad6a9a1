"""Merge configuration layers and address values inside them."""
