"""Preference pairs: the shipped catalogue, measurements, judging, rendering, and other sources."""
