"""Seed-compatible entry point for ``agentic generate trajectories``.

python generators/generate_trajectories.py --count 10000 --category coding
"""

import sys
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import typer

from agentic_pipeline.commands.generate_trajectories import trajectories

if __name__ == "__main__":
    typer.run(trajectories)
