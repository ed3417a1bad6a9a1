"""Weighted directed and undirected graphs and classic algorithms on them."""
