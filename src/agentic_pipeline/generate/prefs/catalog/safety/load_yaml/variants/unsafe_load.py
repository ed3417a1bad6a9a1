"""Uploaded YAML configuration."""

import yaml


def load_config(text: str) -> dict:
    """The mapping in ``text``."""
    data = yaml.unsafe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the config must be a YAML mapping")
    return data
