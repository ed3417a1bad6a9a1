"""`agentic plan`: parameters exact from layer dimensions, memory against DeepSpeed's own estimator,
model FLOPs (matmuls and causal attention) against hand-computed values, the long-context terms
(sequence parallelism, the fused loss, activation offloading), fits / does not fit, the JSON the README
promises."""

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


def test_32b_zero3_on_8_gpus_agrees_with_deepspeed_and_hand_counted_flops():
    from deepspeed.runtime.zero.stage3 import estimate_zero3_model_states_mem_needs

    arch = QWEN2_5["32B"]
    tokens = 85_000 * 4096
    plan = make_plan(sft("Qwen/Qwen2.5-32B-Instruct"), tokens)
    _, ds_gpu_bytes, _ = estimate_zero3_model_states_mem_needs(
        arch.params(), arch.largest_layer_params(), num_gpus_per_node=8, num_nodes=1, cpu_offload=False
    )
    assert plan["memory_per_gpu_gb"]["model_states"] == pytest.approx(ds_gpu_bytes / GIB, abs=0.01)
    assert ds_gpu_bytes == pytest.approx(18 * arch.params() / 8, rel=0.05)
    # Per token, by hand: matmuls 2 x (32,763,876,352 - 152,064 x 5,120 input-embedding lookups)
    # = 63,970,617,344; causal attention 2 x 5,120 x 64 layers x 4,096 = 2,684,354,560; x 3 for backward.
    assert plan["flops"] == pytest.approx(3 * (63_970_617_344 + 2_684_354_560) * tokens * 3)
    assert plan["flops"] > 6 * arch.params() * tokens * 3  # attention outweighs the lookup at 4K
    assert plan["gpu_hours"] == pytest.approx(plan["flops"] / (989e12 * 0.35) / 3600, rel=1e-3)
    assert plan["wall_hours"] == pytest.approx(plan["gpu_hours"] / 8, rel=1e-2)
    assert plan["cost_usd"] == pytest.approx(plan["gpu_hours"] * 2.5, rel=1e-3)
    assert plan["fits"] and plan["gpu_hours"] == pytest.approx(167.6, abs=0.1)
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


# --- long context: the terms of issue 17, each against a value computed by hand -----------------------


def test_logits_with_and_without_the_fused_loss():
    from agentic_pipeline.train.plan import logits_bytes

    a = QWEN2_5["32B"]  # vocab 152,064, hidden 5,120
    # Full logits: 10 bytes each (bf16 logits, fp32 upcast, fp32 log-softmax kept for backward).
    assert logits_bytes(a, 4096, fused=False) == 10 * 152_064 * 4096 == 6_228_541_440
    # TRL's fused head: one 4,096 x 32,768 tile (fp32 accumulator + bf16 product) + the hidden-state grad.
    assert logits_bytes(a, 4096, fused=True) == 6 * 4096 * 32768 + 2 * 5120 * 4096 == 847_249_408
    # At 32K the tile stays the same; only the hidden-state gradient grows.
    assert logits_bytes(a, 32768, fused=True) == 6 * 4096 * 32768 + 2 * 5120 * 32768
    assert logits_bytes(a, 32768, fused=False) == 8 * logits_bytes(a, 4096, fused=False)


def test_sequence_parallel_divides_the_row_and_adds_the_all_to_all_buffers():
    from agentic_pipeline.train.plan import activation_bytes

    a = QWEN2_5["32B"]  # hidden 5,120, kv 8 x 128 = 1,024, intermediate 27,648, 64 layers
    acts = activation_bytes(a, 32768, checkpointing=True, sequence_parallel=8)
    local = 4096
    layer_inputs = 2 * 5120 * 64 * local  # 2,684,354,560: one bf16 input per layer and token
    working_set = 2 * (7 * 5120 + 2 * 1024 + 4 * 27648) * local  # 1,216,348,160: one layer recomputed
    ulysses = 2 * (2 * 5120 + 2 * 1024) * local  # 100,663,296: q, k, v, out in the all-to-all
    logits = 6 * 4096 * 32768 + 2 * 5120 * local  # 847,249,408
    assert acts["layer_inputs"] == layer_inputs
    assert acts["used"] == layer_inputs + working_set + ulysses + logits == 4_848_615_424
    whole = activation_bytes(a, 32768, checkpointing=True)
    assert whole["layer_inputs"] == 8 * layer_inputs and whole["logits"] > acts["logits"]


def test_activation_offloading_moves_the_layer_inputs_to_host_ram():
    from agentic_pipeline.train.plan import activation_bytes

    a = QWEN2_5["32B"]
    kept = activation_bytes(a, 32768, checkpointing=True, sequence_parallel=8)
    moved = activation_bytes(a, 32768, checkpointing=True, sequence_parallel=8, offload=True)
    assert moved["used"] == kept["used"] - kept["layer_inputs"]
    assert moved["offloaded"] == kept["layer_inputs"] == 2 * 5120 * 64 * 4096

    cfg = load_config(CONFIGS / "sft_32b_32k.yaml")
    with_offload = cfg.model_copy(deep=True)
    with_offload.training.activation_offloading = True
    plain, offloaded = make_plan(cfg, 10**9), make_plan(with_offload, 10**9)
    # Host RAM per node gains the 8 GPUs' layer inputs: 8 x 2.5 GiB.
    gained = offloaded["host_memory_per_node_gb"] - plain["host_memory_per_node_gb"]
    assert gained == pytest.approx(8 * 2 * 5120 * 64 * 4096 / GIB, abs=0.02)
    assert offloaded["memory_per_gpu_gb"]["total"] == pytest.approx(
        plain["memory_per_gpu_gb"]["total"] - 2.5, abs=0.02
    )


def test_attention_flops_follow_the_mean_sample_length():
    from agentic_pipeline.train.plan import flops_per_token

    cfg = load_config(CONFIGS / "sft_32b_32k.yaml")
    a = QWEN2_5["32B"]
    matmul = 2 * (a.params() - 152_064 * 5120)
    # A token in a sample of s tokens attends to (s + 1) / 2 on average: 2 x 2 x hidden x layers x s / 2.
    assert flops_per_token(cfg, a, 32768) == 3 * (matmul + 2 * 5120 * 64 * 32768)
    assert flops_per_token(cfg, a, 1000) == 3 * (matmul + 2 * 5120 * 64 * 1000)
    dpo = load_config(CONFIGS / "dpo_32b.yaml")
    assert flops_per_token(dpo, a, 4096) == 4 * (matmul + 2 * 5120 * 64 * 4096)  # + the reference forward
    tied = QWEN2_5["0.5B"]  # tied embeddings: the LM head is the embedding matrix, a real matmul
    assert flops_per_token(cfg, tied, 0) == 6 * tied.params()


def test_sft_32b_32k_fits_8_h100_and_the_plan_names_the_fewest_gpus_per_context():
    cfg = load_config(CONFIGS / "sft_32b_32k.yaml")
    assert cfg.distributed.sequence_parallel == 8 and cfg.data.max_length == 32768
    plan = make_plan(cfg, int(1.02e9))
    mem = plan["memory_per_gpu_gb"]
    assert plan["fits"] and plan["gpus"] == 8 and plan["sequence_parallel"] == 8
    assert mem["total"] + cfg.plan.reserve_gb <= 80
    # Without sequence parallelism, the same 32K row needs 8 x the layer inputs: it does not fit.
    alone = cfg.model_copy(deep=True)
    alone.distributed.sequence_parallel = 1
    assert not make_plan(alone, int(1.02e9))["fits"]
    # Without the fused loss the 4K shard's full logits would add ~5.8 GiB.
    assert mem["logits_without_fused_loss"] == pytest.approx(10 * 152_064 * 4096 / GIB, abs=0.01)
    table = {row["max_length"]: row for row in plan["context_lengths"]}
    assert table[32768]["gpus"] == 8 and table[32768]["sequence_parallel"] == 8
    assert table[4096]["gpus"] == 8 and table[4096]["sequence_parallel"] == 1
    assert table[131072]["gpus"] > 8  # 128K rows need a second node in this layout
    for row in plan["context_lengths"]:
        if row["sequence_parallel"]:
            assert 40 % row["sequence_parallel"] == 0  # Ulysses splits the 40 attention heads


def test_the_planner_logit_bytes_agree_with_the_gpu_measurement():
    """bench/results holds an H200 run of bench/gpu_mfu.py: per 32K row, the peak memory with full logits
    minus that with a fused loss, over the logits' element count, brackets the planner's 10 bytes."""
    from agentic_pipeline.train.plan import UNFUSED_LOGIT_BYTES

    results = json.loads((CONFIGS.parent / "bench" / "results" / "gpu_mfu_h200.json").read_text())
    peaks = {(r["size"], r["loss"]): r["peak_gib"] for r in results["rows"] if r["tokens_per_row"] == 32768}
    for size in ("0.5B", "1.5B", "7B"):
        per_logit = (peaks[(size, "plain")] - peaks[(size, "liger")]) * GIB / (32768 * QWEN2_5[size].vocab)
        assert 0.8 * UNFUSED_LOGIT_BYTES < per_logit < 1.2 * UNFUSED_LOGIT_BYTES, (size, per_logit)


def test_sequence_parallel_configs_are_checked(tmp_path):
    from agentic_pipeline.train.config import ConfigError

    base = (CONFIGS / "sft_32b_32k.yaml").read_text()
    sdpa = tmp_path / "sdpa.yaml"
    sdpa.write_text(base.replace("attn_implementation: flash_attention_2", "attn_implementation: sdpa"))
    with pytest.raises(ConfigError, match="attends across the samples"):
        load_config(sdpa)
    accel = tmp_path / "accel.yaml"
    accel.write_text(
        (CONFIGS / "accelerate" / "deepspeed_zero3_sp8.yaml").read_text().replace("sp_size: 8", "sp_size: 4")
    )
    mismatch = tmp_path / "mismatch.yaml"
    mismatch.write_text(base.replace("configs/accelerate/deepspeed_zero3_sp8.yaml", str(accel)))
    with pytest.raises(ConfigError, match="parallelism_config_sp_size: 4"):
        load_config(mismatch)
    dpo = tmp_path / "dpo.yaml"
    dpo.write_text(
        (CONFIGS / "dpo_32b.yaml")
        .read_text()
        .replace("  offload_optimizer: true", "  offload_optimizer: true\n  sequence_parallel: 8")
    )
    with pytest.raises(ConfigError, match="DPOTrainer"):
        load_config(dpo)


def test_gpu_configs_do_not_train_packed_rows_with_the_slow_attention():
    """bench/results/gpu_train_step_h200*.json: sdpa on packed rows was 3.9x (4K) and 6.5x (32K) slower
    than flex_attention for the same step; the shipped GPU SFT configs use a fast one, and a config
    that does not is told so."""
    from agentic_pipeline.train.sft import attention_advice

    sdpa = json.loads((CONFIGS.parent / "bench" / "results" / "gpu_train_step_h200.json").read_text())
    flex = json.loads((CONFIGS.parent / "bench" / "results" / "gpu_train_step_h200_flex.json").read_text())
    step = {
        (d.get("attn_implementation", "sdpa"), r["max_length"]): r["seconds_per_step"]
        for d in (sdpa, flex)
        for r in d["runs"]
        if r["method"] == "sft" and r["size"] == "0.5B"
    }
    assert step[("sdpa", 32768)] > 5 * step[("flex_attention", 32768)]
    for path in sorted(CONFIGS.glob("sft_*.yaml")):
        cfg = load_config(path)
        assert attention_advice(cfg) is None, path  # tiny configs train on the CPU: no advice
    slow = load_config(CONFIGS / "sft_32b.yaml")
    slow.attn_implementation = "sdpa"
    assert "flex_attention" in attention_advice(slow)
