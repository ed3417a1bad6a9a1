"""Helpers for the validator tests: records from the checked-in examples, files in the seed layout."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from agentic_pipeline.curate import Options, Report, validate
from agentic_pipeline.layout import data_file

ROOT = Path(__file__).resolve().parents[1]


def example(name: str, **changes: Any) -> dict[str, Any]:
    record = json.loads((ROOT / "schemas" / "examples" / f"{name}.json").read_text())
    record = copy.deepcopy(record)
    record.update(changes)
    return record


def write_records(data_dir: Path, records: list[dict[str, Any]]) -> list[Path]:
    """Append each record to its kind/category file; returns the paths in order."""
    paths = []
    for record in records:
        path = data_file(data_dir, record["kind"], record["category"])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        paths.append(path)
    return paths


def run(data_dir: Path, **options: Any) -> Report:
    return validate(Options(data_dir=data_dir, workers=options.pop("workers", 1), **options))


def checks(report: Report) -> set[str]:
    return {f.check for f in report.findings}
