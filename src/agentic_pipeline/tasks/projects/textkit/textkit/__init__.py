"""Everyday string and number formatting helpers."""
