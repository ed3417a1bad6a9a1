"""Real DPO steps with TRL's DPOTrainer from a saved checkpoint, on multi-turn tool preference pairs:
the reward margin grows, only the continuations' assistant turns count, and precomputed reference
log-probs equal the live reference's."""

from __future__ import annotations

import math

import pytest
import torch
from train_records import preference, write_records

from agentic_pipeline.train.config import TrainConfig
from agentic_pipeline.train.dpo import PreferenceCollator, build_dpo_trainer
from agentic_pipeline.train.inspect import trained_text


@pytest.fixture(scope="module")
def setup(tmp_path_factory, tiny_tokenizer):
    from agentic_pipeline.tiny import build_tiny_model

    root = tmp_path_factory.mktemp("dpo")
    data_dir = write_records(root / "data", [preference(i) for i in range(6)])
    build_tiny_model(tiny_tokenizer, seed=0, out_dir=root / "sft")  # stands in for the SFT checkpoint
    return root, data_dir


def dpo_cfg(root, data_dir, **dpo) -> TrainConfig:
    return TrainConfig(
        method="dpo",
        model=str(root / "sft"),
        tokenizer="tiny",
        data={"data_dir": str(data_dir), "max_length": 2048},
        dpo={"beta": 0.1, "loss_type": "sigmoid", **dpo},
        training={
            "output_dir": str(root / "out"),
            "learning_rate": 2e-3,
            "max_steps": 3,
            "per_device_train_batch_size": 2,
            "lr_scheduler_type": "constant",
            "logging_steps": 1,
            "save_steps": 1000,
            "seed": 0,
            "use_cpu": True,
            "report_to": ["none"],
        },
    )


def test_reward_margin_grows(setup, tiny_tokenizer):
    root, data_dir = setup
    trainer, report = build_dpo_trainer(dpo_cfg(root, data_dir), tokenizer=tiny_tokenizer)
    assert report.samples == 6
    trainer.train()
    history = [e for e in trainer.state.log_history if "loss" in e]
    margins = [e["rewards/margins"] for e in history]
    assert len(margins) == 3 and all(math.isfinite(e["loss"]) for e in history)
    assert margins[-1] > margins[0] and margins[-1] > 0
    assert history[-1]["loss"] < math.log(2)


def test_only_the_continuations_assistant_turns_are_in_the_loss(setup, tiny_tokenizer):
    from agentic_pipeline.train.data import build_dpo_dataset

    root, data_dir = setup
    dataset, _ = build_dpo_dataset(dpo_cfg(root, data_dir), tiny_tokenizer)
    batch = PreferenceCollator(tiny_tokenizer.pad_token_id)([dataset[0], dataset[1]])
    assert batch["input_ids"].shape[0] == 4  # chosen, chosen, rejected, rejected
    chosen_ids = batch["input_ids"][0][batch["attention_mask"][0] == 1].tolist()
    chosen_mask = batch["completion_mask"][0][batch["attention_mask"][0] == 1].tolist()
    spans = trained_text(chosen_ids, chosen_mask, tiny_tokenizer)
    record = preference(0)
    assert spans[0].startswith(record["chosen"][0]["content"]) and spans[-1].startswith(
        record["chosen"][-1]["content"]
    )
    assert len(spans) == 2  # the two assistant turns of the continuation, not the prompt's
    assert all("OBSERVATION-MARKER" not in s for s in spans)  # the tool result between them is context
    rejected = trained_text(
        batch["input_ids"][2].tolist(), batch["completion_mask"][2].tolist(), tiny_tokenizer
    )
    assert rejected == [record["rejected"][0]["content"] + "<|im_end|>"]


def test_precomputed_reference_log_probs_equal_the_live_reference(setup, tiny_tokenizer):
    from transformers import AutoModelForCausalLM
    from trl.trainer.utils import add_fused_lm_head

    root, data_dir = setup
    trainer, _ = build_dpo_trainer(
        dpo_cfg(root, data_dir, precompute_ref_log_probs=True), tokenizer=tiny_tokenizer
    )
    rows = [trainer.train_dataset[i] for i in range(3)]
    assert all("ref_chosen_logps" in r for r in rows)
    reference = AutoModelForCausalLM.from_pretrained(root / "sft").eval()
    add_fused_lm_head(reference)  # as DPOTrainer does to its live reference model
    batch = trainer.data_collator(rows)
    live_chosen, live_rejected = trainer.compute_ref_log_probs(reference, batch)
    assert torch.allclose(live_chosen, batch["ref_chosen_logps"], atol=1e-4)
    assert torch.allclose(live_rejected, batch["ref_rejected_logps"], atol=1e-4)
