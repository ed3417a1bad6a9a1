"""`agentic train inspect` shows what carries loss; the quickstart's training helper runs SFT then DPO
of the tiny model and leaves curves, samples and numbers behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from train_records import preference, trajectory, write_records
from typer.testing import CliRunner

from agentic_pipeline.cli import app

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def test_inspect_prints_samples_and_the_trained_share(tmp_path):
    data_dir = write_records(tmp_path / "data", [trajectory(i) for i in range(3)])
    args = ["train", "inspect", "--config", str(CONFIGS / "sft_tiny.yaml"), "--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, [*args, "--n", "2"])
    assert result.exit_code == 0, result.output
    assert "traj-000" in result.output and "traj-001" in result.output and "traj-002" not in result.output
    assert "The total is off by one" in result.output and "tokens trained" in result.output

    report = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert report["samples"] == 3 and 0.05 < report["trained_share"] < 0.9

    missing = CliRunner().invoke(app, [*args[:4], "--data-dir", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such data directory" in missing.output


@pytest.mark.slow
def test_quickstart_training_runs_sft_then_dpo(tmp_path):
    from agentic_pipeline.train.tiny_train import run_quickstart_training

    data_dir = write_records(
        tmp_path / "data", [trajectory(i) for i in range(4)] + [preference(i) for i in range(2)]
    )
    summary = run_quickstart_training(data_dir, tmp_path / "out", sft_steps=2, dpo_steps=2)
    assert summary["sft"]["steps"] == 2 and len(summary["sft"]["losses"]) == 2
    assert summary["dpo"]["steps"] == 2 and len(summary["dpo"]["reward_margins"]) == 2
    for plot in summary["plots"].values():
        assert Path(plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(summary["samples"]) == 3 and all(s["generated"] for s in summary["samples"])
    assert json.loads((tmp_path / "out" / "samples.json").read_text()) == summary["samples"]
    assert Path(summary["model_dir"], "config.json").is_file()
