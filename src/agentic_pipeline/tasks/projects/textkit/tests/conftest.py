"""Put the project root on sys.path so the tests import the local copy of the package."""

import sys
from pathlib import Path

# A same-size edit made within a second of the last run must never be hidden by a stale .pyc.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
