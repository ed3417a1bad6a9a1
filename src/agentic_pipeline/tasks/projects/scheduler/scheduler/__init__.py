"""Intervals of time within a day, and a calendar of meetings built on them."""
