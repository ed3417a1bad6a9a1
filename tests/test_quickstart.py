"""The README's main command, data stages only (training has its own tests): every kind of record is
generated offline through the real CLI, the dataset validates with no error, and the reports (REPORT.md, report.html) are written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_quickstart_data_stages_produce_every_kind_and_validate(tmp_path: Path) -> None:
    out = tmp_path / "qs"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentic_pipeline.cli",
            "quickstart",
            "--out",
            str(out),
            "--count",
            "4",
            "--pairs",
            "3",
            "--no-train",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = out / "data"
    for folder in ("trajectories", "conversations", "reasoning", "domain", "preferences"):
        files = [p for p in (data / folder).glob("*.jsonl") if p.stat().st_size > 0]
        assert files, f"no {folder} records"
    report = json.loads((out / "validation.json").read_text())
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    text = (out / "REPORT.md").read_text()
    assert "trajectories/coding_tasks.jsonl" in text and "Stage times" in text
    page = (out / "report.html").read_text()
    assert "agentic-pipeline dataset report" in page and "Trajectory viewer" in page
