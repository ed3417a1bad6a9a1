"""Aggregate sales CSV files into summary tables."""
