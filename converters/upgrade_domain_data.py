"""Seed-compatible entry point for ``agentic convert``.

python converters/upgrade_domain_data.py --input ../data --output data/domain/
"""

import sys
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import typer

from agentic_pipeline.commands.convert import convert

if __name__ == "__main__":
    typer.run(convert)
