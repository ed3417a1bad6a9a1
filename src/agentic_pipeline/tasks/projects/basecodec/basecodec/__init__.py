"""Encoders and decoders for text, bytes and integers."""
