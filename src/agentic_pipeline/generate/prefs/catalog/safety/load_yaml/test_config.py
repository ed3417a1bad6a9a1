import pytest
from config import load_config


def test_mapping():
    assert load_config("name: demo\nports: [80, 443]\n") == {"name": "demo", "ports": [80, 443]}


def test_not_a_mapping():
    with pytest.raises(ValueError):
        load_config("- a\n- b\n")
