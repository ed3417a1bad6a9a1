"""`agentic plan`: parameters exact from layer dimensions, memory against DeepSpeed's own estimator,
FLOPs = 6 x params x tokens, fits / does not fit, the JSON the README promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from agentic_pipeline.train.config import TrainConfig, load_config
from agentic_pipeline.train.plan import QWEN2_5, arch_from_config, make_plan, resolve_arch

GIB = 2**30
CONFIGS = Path(__file__).resolve().parent.parent / "configs"


@pytest.mark.parametrize("size", ["0.5B", "7B", "32B"])
def test_params_match_a_model_built_from_the_same_architecture(size):
    """Built on the meta device (no memory): transformers' Qwen2 has exactly the parameters we count."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    a = QWEN2_5[size]
    config = Qwen2Config(
        hidden_size=a.hidden,
        intermediate_size=a.intermediate,
        num_hidden_layers=a.layers,
        num_attention_heads=a.heads,
        num_key_value_heads=a.kv_heads,
        vocab_size=a.vocab,
        tie_word_embeddings=a.tied,
    )
    with torch.device("meta"):
        model = Qwen2ForCausalLM(config)
    assert a.params() == sum(p.numel() for p in model.parameters())
    assert arch_from_config(config.to_dict()) == a


def test_published_sizes():
    assert QWEN2_5["32B"].params() == 32_763_876_352  # Qwen2.5-32B: "32.5B" non-embedding, 32.8B total
    assert QWEN2_5["72B"].params() == 72_706_203_648
    assert resolve_arch("Qwen/Qwen2.5-72B-Instruct")[0] is QWEN2_5["72B"]
    assert resolve_arch("Qwen/Qwen2.5-1.5B")[0] is QWEN2_5["1.5B"]


def sft(model: str, **distributed) -> TrainConfig:
    return TrainConfig(
        method="sft",
        model=model,
        data={"max_length": 4096},
        training={"num_train_epochs": 3, "gradient_checkpointing": True, "bf16": True},
        distributed={"zero_stage": 3, **distributed},
    )


def test_32b_zero3_on_8_gpus_agrees_with_deepspeed_and_6nd():
    from deepspeed.runtime.zero.stage3 import estimate_zero3_model_states_mem_needs

    arch = QWEN2_5["32B"]
    tokens = 85_000 * 4096
    plan = make_plan(sft("Qwen/Qwen2.5-32B-Instruct"), tokens)
    _, ds_gpu_bytes, _ = estimate_zero3_model_states_mem_needs(
        arch.params(), arch.largest_layer_params(), num_gpus_per_node=8, num_nodes=1, cpu_offload=False
    )
    assert plan["memory_per_gpu_gb"]["model_states"] == pytest.approx(ds_gpu_bytes / GIB, abs=0.01)
    assert ds_gpu_bytes == pytest.approx(18 * arch.params() / 8, rel=0.05)
    assert plan["flops"] == pytest.approx(6 * arch.params() * tokens * 3)
    assert plan["gpu_hours"] == pytest.approx(plan["flops"] / (989e12 * 0.40) / 3600, rel=1e-3)
    assert plan["wall_hours"] == pytest.approx(plan["gpu_hours"] / 8, rel=1e-2)
    assert plan["cost_usd"] == pytest.approx(plan["gpu_hours"] * 2.5, rel=1e-3)
    assert plan["fits"] and 130 < plan["gpu_hours"] < 160  # the published ~140 GPU-hours
    mem = plan["memory_per_gpu_gb"]
    assert mem["activations_without_checkpointing"] > 5 * mem["activations_with_checkpointing"]


def test_72b_needs_offload_or_more_nodes_on_8_gpus():
    from deepspeed.runtime.zero.stage3 import estimate_zero3_model_states_mem_needs

    arch = QWEN2_5["72B"]
    plain = make_plan(sft("Qwen/Qwen2.5-72B-Instruct"), 10**9)
    assert not plain["fits"] and plain["memory_per_gpu_gb"]["model_states"] > 150
    offload = make_plan(sft("Qwen/Qwen2.5-72B-Instruct", offload_optimizer=True), 10**9)
    cpu_bytes, gpu_bytes, _ = estimate_zero3_model_states_mem_needs(
        arch.params(), arch.largest_layer_params(), 8, 1, cpu_offload=True, cpu_offload_params=False
    )
    assert offload["fits"]
    assert offload["memory_per_gpu_gb"]["model_states"] == pytest.approx(gpu_bytes / GIB, abs=0.01)
    assert offload["host_memory_per_node_gb"] == pytest.approx(cpu_bytes / GIB, rel=0.01)
    cfg = sft("Qwen/Qwen2.5-72B-Instruct")
    cfg.plan.nodes = 4
    assert make_plan(cfg, 10**9)["fits"]


def test_lora_keeps_frozen_weights_and_trains_a_sliver(tmp_path):
    cfg = load_config(CONFIGS / "sft_lora_7b.yaml")
    plan = make_plan(cfg, 10**8)
    assert plan["trainable_params"] < 0.01 * plan["params"] and plan["gpus"] == 1
    assert plan["memory_per_gpu_gb"]["weights"] == pytest.approx(2 * plan["params"] / GIB, abs=0.01)


def test_cli_json_counts_tokens_from_the_data(tmp_path):
    from train_records import trajectory, write_records

    from agentic_pipeline.cli import app

    data_dir = write_records(tmp_path / "data", [trajectory(i) for i in range(3)])
    result = CliRunner().invoke(
        app,
        [
            "plan",
            "--config",
            str(CONFIGS / "sft_tiny.yaml"),
            "--data-dir",
            str(data_dir),
            "--json",
            "--mfu",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    for key in ("params", "gpus", "tokens", "fits", "gpu_hours", "wall_hours", "cost_usd"):
        assert key in plan
    assert set(plan["memory_per_gpu_gb"]) >= {"model_states", "activations", "total"}
    assert plan["assumptions"]["mfu"] == 0.5
    assert 3 * 500 < plan["tokens_per_epoch"] < 3 * 2000 and "tiny tokenizer" in plan["tokens_source"]

    given = CliRunner().invoke(app, ["plan", "--config", str(CONFIGS / "sft_32b.yaml"), "--tokens", "1e9"])
    assert given.exit_code == 0 and "fits" in given.output

    missing = CliRunner().invoke(
        app, ["plan", "--config", str(CONFIGS / "sft_32b.yaml"), "--data-dir", str(tmp_path / "nope")]
    )
    assert missing.exit_code == 1 and "Traceback" not in missing.output
