"""Seed-compatible entry point: ``python train_dpo.py --config configs/dpo_32b.yaml`` (same as
``agentic train dpo --config ...``; with several GPUs and an accelerate config it relaunches itself)."""

import sys
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from agentic_pipeline.cli import app

if __name__ == "__main__":
    app(["train", "dpo", *sys.argv[1:]])
