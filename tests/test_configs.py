"""Every YAML in configs/ loads and validates; each opens with the command that runs it; the big
configs fail on this CPU machine with a sentence, not a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agentic_pipeline.train.config import ConfigError, load_config
from agentic_pipeline.train.tiny_train import tiny_config

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
TRAINING = sorted(p for p in CONFIGS.glob("*.yaml") if "method" in (yaml.safe_load(p.read_text()) or {}))
ACCELERATE = sorted((CONFIGS / "accelerate").glob("*.yaml"))


def test_every_yaml_in_configs_parses():
    files = sorted(CONFIGS.rglob("*.yaml"))
    assert len(files) >= 11
    for path in files:
        assert yaml.safe_load(path.read_text()) is not None, path
    assert {p.stem for p in TRAINING} >= {
        "sft_32b", "dpo_32b", "sft_72b", "dpo_72b", "sft_lora_7b", "sft_tiny", "dpo_tiny",
        "sft_32b_32k", "sft_72b_32k", "dpo_32b_32k",
    }  # fmt: skip


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: p.name)
def test_training_config_validates_and_opens_with_its_command(path):
    cfg = load_config(path)
    first = path.read_text().splitlines()[0]
    assert first == f"# python train_{cfg.method}.py --config configs/{path.name}"
    for referenced in (cfg.distributed.accelerate_config, cfg.distributed.deepspeed):
        assert referenced is None or (ROOT / referenced).is_file(), referenced
    if cfg.distributed.zero_stage == 3:
        ds = json.loads((ROOT / cfg.distributed.deepspeed).read_text())
        assert ds["zero_optimization"]["stage"] == 3
        assert ("offload_optimizer" in ds["zero_optimization"]) == cfg.distributed.offload_optimizer


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda p: p.name)
def test_accelerate_config_loads_with_accelerate(path):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(path))
    assert (
        f"--config_file configs/accelerate/{path.name}" in path.read_text().splitlines()[0] + path.read_text()
    )
    assert path.read_text().startswith("#")
    ds_file = (config.deepspeed_config or {}).get("deepspeed_config_file")
    if ds_file:
        assert (ROOT / ds_file).is_file()
        json.loads((ROOT / ds_file).read_text())
    assert config.num_processes == 8 * config.num_machines
    block = config.parallelism_config or {}
    if block:
        # What `accelerate launch` exports from the block; dp x sp must use every process.
        sp = block["parallelism_config_sp_size"]
        assert block["parallelism_config_sp_backend"] == "deepspeed"
        assert block["parallelism_config_dp_replicate_size"] * block[
            "parallelism_config_dp_shard_size"
        ] * sp == (config.num_processes)
        assert block["parallelism_config_sp_attn_implementation"] in (
            "flash_attention_2",
            "flash_attention_3",
        )


def test_sequence_parallel_configs_name_an_accelerate_file_with_the_same_degree():
    for path in TRAINING:
        cfg = load_config(path)
        accel = (
            yaml.safe_load((ROOT / cfg.distributed.accelerate_config).read_text())
            if cfg.distributed.accelerate_config
            else {}
        )
        sp = (accel.get("parallelism_config") or {}).get("parallelism_config_sp_size", 1)
        assert sp == cfg.distributed.sequence_parallel, path
    assert load_config(CONFIGS / "sft_32b_32k.yaml").distributed.sequence_parallel == 8


def test_tiny_configs_are_the_quickstarts():
    for method in ("sft", "dpo"):
        assert load_config(CONFIGS / f"{method}_tiny.yaml").model_dump() == tiny_config(method).model_dump()


def test_a_wrong_field_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: sft\nmodel: tiny\ntraining:\n  learning_rat: 0.1\n")
    with pytest.raises(ConfigError, match=r"(?s)bad\.yaml.*training\.learning_rat: Extra inputs"):
        load_config(bad)
    bad.write_text("method: sft\nmodel: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: line \d+ is not valid YAML"):
        load_config(bad)


def test_32b_on_this_cpu_machine_fails_with_a_sentence():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible: the 32B config would start for real")
    from agentic_pipeline.cli import app

    result = CliRunner().invoke(app, ["train", "sft", "--config", str(CONFIGS / "sft_32b.yaml")])
    assert result.exit_code == 1
    assert "no CUDA device is visible" in result.output and "Traceback" not in result.output

    proc = subprocess.run(
        [sys.executable, "train_dpo.py", "--config", "configs/dpo_32b.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "no CUDA device is visible" in proc.stderr and "Traceback" not in proc.stderr
