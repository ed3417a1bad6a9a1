"""Seed-compatible entry point: ``python utils/validate_dataset.py --data-dir data/ [options]``.

The same command as ``agentic validate`` (same options, same exit codes); see ``agentic validate --help``.
"""

import sys
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a clone without installing: use the repository's src/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.cli import app

if __name__ == "__main__":
    app(args=["validate", *sys.argv[1:]], prog_name="validate_dataset.py")
