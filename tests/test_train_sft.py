"""Real SFT steps on the tiny model with TRL's SFTTrainer: the loss falls, every parameter moves,
padding-free equals padded, a resumed run repeats the same losses, and two data-parallel processes
reproduce one process."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from train_records import training_data_dir

from agentic_pipeline.train.config import TrainConfig
from agentic_pipeline.train.sft import build_sft_trainer

TESTS = Path(__file__).resolve().parent


def sft_cfg(data_dir: Path, out: Path, **training) -> TrainConfig:
    settings = {
        "output_dir": str(out),
        "learning_rate": 3e-3,
        "max_steps": 6,
        "per_device_train_batch_size": 1,
        "lr_scheduler_type": "constant",
        "logging_steps": 1,
        "save_steps": 1000,
        "seed": 0,
        "use_cpu": True,
        "report_to": ["none"],
    }
    settings.update(training)
    return TrainConfig(
        method="sft",
        model="tiny",
        data={"data_dir": str(data_dir), "max_length": 2048, "overlong": "split"},
        training=settings,
    )


def losses(trainer, after_step: int = 0) -> list[float]:
    return [e["loss"] for e in trainer.state.log_history if "loss" in e and e["step"] > after_step]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return training_data_dir(tmp_path_factory.mktemp("sft") / "data", n_sft=24, n_pref=0)


@pytest.fixture(scope="module")
def run(data_dir, tmp_path_factory, tiny_tokenizer):
    """6 steps with a checkpoint at step 3; the parameters before and after."""
    out = tmp_path_factory.mktemp("sft-run")
    trainer, report = build_sft_trainer(sft_cfg(data_dir, out, save_steps=3), tokenizer=tiny_tokenizer)
    before = {n: p.detach().clone() for n, p in trainer.model.named_parameters() if p.requires_grad}
    trainer.train()
    after = dict(trainer.model.named_parameters())
    return {"out": out, "losses": losses(trainer), "before": before, "after": after, "report": report}


def test_loss_is_finite_and_falls(run):
    values = run["losses"]
    assert len(values) == 6 and all(math.isfinite(v) for v in values)
    assert sum(values[-2:]) / 2 < sum(values[:2]) / 2 - 0.2


def test_every_trained_parameter_changes(run):
    assert run["before"]
    unchanged = [n for n, p in run["before"].items() if torch.equal(p, run["after"][n].detach())]
    assert unchanged == []


def test_the_data_went_in_packed_with_nothing_dropped(run):
    report = run["report"]
    assert report.pack.dropped_tokens == 0 and report.pack.rows < report.samples
    assert report.overlong_dropped == 0 and 0 < report.trained_share < 1


def test_resume_from_a_checkpoint_gives_identical_losses(run, data_dir, tmp_path, tiny_tokenizer):
    checkpoint = run["out"] / "checkpoint-3"
    assert checkpoint.is_dir()
    trainer, _ = build_sft_trainer(sft_cfg(data_dir, run["out"], save_steps=3), tokenizer=tiny_tokenizer)
    trainer.train(resume_from_checkpoint=str(checkpoint))
    resumed = losses(trainer, after_step=3)
    assert len(resumed) == 3
    assert resumed == pytest.approx(run["losses"][3:], abs=1e-5)


@pytest.fixture(scope="module")
def unpacked(data_dir, tiny_tokenizer):
    """Unpacked rows, and an SFTTrainer whose compute_loss runs the model as training does
    (notably with use_cache=False: with a KV cache, transformers does not detect packed sequences
    from position_ids and attention would cross samples)."""
    from agentic_pipeline.tiny import build_tiny_model
    from agentic_pipeline.train.data import build_sft_dataset

    cfg = sft_cfg(data_dir, data_dir.parent / "unused")
    cfg.sft.packing = False
    dataset, _ = build_sft_dataset(cfg, tiny_tokenizer)
    model = build_tiny_model(tiny_tokenizer, seed=1)
    trainer, _ = build_sft_trainer(cfg, tokenizer=tiny_tokenizer, model=model, dataset=dataset)
    trainer.model.eval()
    return dataset, trainer


def _loss(trainer, batch) -> float:
    with torch.no_grad():
        return trainer.compute_loss(trainer.model, dict(batch)).item()


def test_padding_free_loss_equals_padded_loss(unpacked, tiny_tokenizer):
    """Same batch, three ways: padded rows; one flat padding-free row with per-sample position ids;
    and (the control that shows the test can fail) the flat row with positions running across samples."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    dataset, trainer = unpacked
    examples = [dataset[i] for i in range(4)]
    assert len({len(e["input_ids"]) for e in examples}) > 1  # different lengths, so padding happens
    pad = tiny_tokenizer.pad_token_id
    padded = DataCollatorForLanguageModeling(pad_token_id=pad, padding_free=False)(examples)
    flat = DataCollatorForLanguageModeling(pad_token_id=pad, padding_free=True)(examples)
    assert flat["input_ids"].shape[0] == 1 and "attention_mask" not in flat
    assert _loss(trainer, padded) == pytest.approx(_loss(trainer, flat), abs=1e-5)

    leaky = {"input_ids": flat["input_ids"], "labels": flat["labels"]}
    leaky["position_ids"] = torch.arange(flat["input_ids"].shape[1])[None]
    assert abs(_loss(trainer, leaky) - _loss(trainer, padded)) > 1e-4


def test_packed_rows_train_like_unpacked_rows(unpacked, data_dir, tiny_tokenizer):
    """A packed row (several samples, seq_lengths) gives the same loss as the same samples padded."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from agentic_pipeline.train.data import build_sft_dataset

    _, trainer = unpacked
    packed, _ = build_sft_dataset(sft_cfg(data_dir, data_dir.parent / "unused"), tiny_tokenizer)
    row = next(r for r in packed if len(r["seq_lengths"]) > 1)
    pieces, start = [], 0
    for n in row["seq_lengths"]:
        pieces.append(
            {"input_ids": row["input_ids"][start : start + n], "labels": row["labels"][start : start + n]}
        )
        start += n
    pad = tiny_tokenizer.pad_token_id
    as_packed = _loss(trainer, DataCollatorForLanguageModeling(pad_token_id=pad, padding_free=True)([row]))
    as_padded = _loss(trainer, DataCollatorForLanguageModeling(pad_token_id=pad)(pieces))
    assert as_packed == pytest.approx(as_padded, abs=1e-5)


@pytest.mark.slow
def test_two_process_data_parallel_reproduces_one_process(data_dir, tmp_path, tiny_tokenizer):
    """torchrun with gloo, 2 processes x 1 row == 1 process x 2 rows (`accelerate launch --cpu
    --num_processes 2` would silently run one process)."""
    steps = 2
    trainer, _ = build_sft_trainer(
        sft_cfg(data_dir, tmp_path / "one", max_steps=steps, per_device_train_batch_size=2),
        tokenizer=tiny_tokenizer,
    )
    trainer.train()
    single = losses(trainer)

    out = tmp_path / "two"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        str(TESTS / "train_dp_worker.py"), str(data_dir), str(out), str(steps), "1",
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((out / "dp_result.json").read_text())
    assert result["world_size"] == 2
    assert result["losses"] == pytest.approx(single, abs=1e-3)
