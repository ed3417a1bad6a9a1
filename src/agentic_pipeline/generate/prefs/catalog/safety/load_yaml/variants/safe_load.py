"""Uploaded YAML configuration."""

import yaml


def load_config(text: str) -> dict:
    """The mapping in ``text``; only plain YAML types are built (no arbitrary Python objects)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the config must be a YAML mapping")
    return data
