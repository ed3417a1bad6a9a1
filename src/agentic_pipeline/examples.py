"""The documented example records (``schemas/examples/<kind>_<category>.json``), as a dataset.

    from agentic_pipeline.examples import write_examples_as_dataset
    write_examples_as_dataset(Path("data"))   # data/trajectories/debugging_tasks.jsonl, ...

The quickstart uses this to have a small valid dataset in the seed's layout before anything is
generated. The examples are documentation (``metadata.source == "example"``), not training data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentic_pipeline.layout import data_file
from agentic_pipeline.records import dump_record, parse_record

_REPO_EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "examples"


def examples_dir() -> Path:
    """The checked-in examples (present in a clone of the repository, and in an editable install)."""
    if not _REPO_EXAMPLES.is_dir():
        raise FileNotFoundError(
            f"{_REPO_EXAMPLES} not found: the examples ship with the repository; install it from a clone "
            "(pip install -e .)"
        )
    return _REPO_EXAMPLES


def load_examples() -> list[dict[str, Any]]:
    """Every example record, parsed and validated, sorted by file name."""
    return [json.loads(p.read_text()) for p in sorted(examples_dir().glob("*.json"))]


def write_examples_as_dataset(data_dir: Path) -> list[Path]:
    """Append every example, one JSON line each, to its kind and category's file under ``data_dir``."""
    written: dict[Path, list[str]] = {}
    for obj in load_examples():
        record = parse_record(obj)
        path = data_file(Path(data_dir), record.kind, record.category)
        written.setdefault(path, []).append(json.dumps(dump_record(record), ensure_ascii=False))
    for path, lines in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return sorted(written)
