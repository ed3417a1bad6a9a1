"""Plan a training run: parameters, GPU memory per device, whether it fits, GPU-hours, wall hours, dollars.

    plan = make_plan(cfg, tokens=1.0e9)        # or tokens counted from the data: count_tokens(cfg)
    plan["memory_per_gpu_gb"]["total"], plan["fits"], plan["gpu_hours"], plan["cost_usd"]

Parameters come from the model's ``config.json`` (a local folder, or the Hugging Face cache), else
from a built-in table of Qwen2.5 architectures, and are computed exactly from the layer dimensions.

Memory (GiB = 2**30 bytes) follows DeepSpeed's own accounting for mixed-precision Adam: per parameter
2 bytes bf16 weights + 2 bf16 gradients + 4 fp32 gradients + 4 fp32 master weights + 8 Adam moments
= 20 bytes, of which ZeRO-1 shards the fp32 part (16), ZeRO-2 also the bf16 gradients (18); for ZeRO-3
DeepSpeed counts 18 bytes, all sharded, plus 4 x the largest layer, gathered whole. Optimizer offload
moves the fp32 part to host RAM; parameter offload (ZeRO-3) moves the weights too. So 32B with ZeRO-3
on 8 GPUs is ~18 x params / 8, as ``deepspeed.runtime.zero.stage3.estimate_zero3_model_states_mem_needs``
says. LoRA keeps frozen bf16 weights (2 bytes each) and trains the adapters with the full 18-20.

Activations per micro-batch (bf16, flash attention so no sequence-squared term), per GPU: with
activation checkpointing each layer keeps its input (2 x hidden bytes per token) and one layer's
working set is live during recompute; without, every layer keeps ~2 x (7 hidden + 2 kv + 4
intermediate) bytes per token. Ulysses sequence parallelism divides the tokens by its degree and adds
its all-to-all buffers; activation offloading moves the kept inputs to host RAM. The loss is TRL's
fused LM head (one 4,096 x 32,768 tile; SFTTrainer and DPOTrainer 1.16 always apply it); the full
logits it avoids (10 bytes each) are shown beside it. Each term, its source and the GPU measurement
behind the constants: docs/training.md, "Long context".

Compute: model FLOPs per token = 3 x forward (DPO 4 x: the reference's forward), forward = 2 x the
parameters a token multiplies by + causal attention 2 x hidden x layers x the mean sample length.
Hours = FLOPs / (GPUs x peak x MFU); MFU defaults to 35% (bench/gpu_mfu.py measured 38-41% on one
H200 with no communication).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_pipeline.train.config import TINY, TrainConfig

log = logging.getLogger(__name__)

GIB = 2**30


@dataclass(frozen=True)
class Arch:
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    vocab: int
    tied: bool
    qkv_bias: bool = True

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    def layer_params(self) -> int:
        h, kv, i = self.hidden, self.kv_dim, self.intermediate
        attention = h * h + 2 * h * kv + h * h + ((h + 2 * kv) if self.qkv_bias else 0)
        return attention + 3 * h * i + 2 * h  # + gate/up/down projections + two RMSNorm weights

    def embedding_params(self) -> int:
        return self.vocab * self.hidden

    def params(self) -> int:
        embeddings = self.embedding_params() * (1 if self.tied else 2)
        return embeddings + self.layers * self.layer_params() + self.hidden  # + final norm

    def largest_layer_params(self) -> int:
        """The largest single weight (DeepSpeed gathers one at a time): the embedding, for these models."""
        return max(self.embedding_params(), self.hidden * self.intermediate)

    def lora_params(self, r: int) -> int:
        """Adapters on every linear layer (peft's 'all-linear' for Qwen2): r x (in + out) each."""
        h, kv, i = self.hidden, self.kv_dim, self.intermediate
        per_layer = r * ((h + h) + 2 * (h + kv) + (h + h) + 2 * (h + i) + (i + h))
        return self.layers * per_layer


# Qwen2.5 (Instruct and base share them), from each model's config.json on the hub.
QWEN2_5: dict[str, Arch] = {
    "0.5B": Arch(896, 4864, 24, 14, 2, 151936, tied=True),
    "1.5B": Arch(1536, 8960, 28, 12, 2, 151936, tied=True),
    "3B": Arch(2048, 11008, 36, 16, 2, 151936, tied=True),
    "7B": Arch(3584, 18944, 28, 28, 4, 152064, tied=False),
    "14B": Arch(5120, 13824, 48, 40, 8, 152064, tied=False),
    "32B": Arch(5120, 27648, 64, 40, 8, 152064, tied=False),
    "72B": Arch(8192, 29568, 80, 64, 8, 152064, tied=False),
}


def arch_from_config(config: dict[str, Any]) -> Arch:
    return Arch(
        hidden=config["hidden_size"],
        intermediate=config["intermediate_size"],
        layers=config["num_hidden_layers"],
        heads=config["num_attention_heads"],
        kv_heads=config.get("num_key_value_heads") or config["num_attention_heads"],
        vocab=config["vocab_size"],
        tied=bool(config.get("tie_word_embeddings", False)),
    )


def _local_config_json(name: str) -> Path | None:
    if (Path(name) / "config.json").is_file():
        return Path(name) / "config.json"
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # not a valid repo id, or no cache: fall back to the table
        return None
    return Path(found) if isinstance(found, str) else None


def resolve_arch(model: str) -> tuple[Arch, str]:
    """(architecture, where it came from) for a model name, folder or 'tiny'."""
    if model == TINY:
        from agentic_pipeline.tiny import load_tokenizer, tiny_model_config

        return arch_from_config(tiny_model_config(load_tokenizer(None)).to_dict()), "tiny model config"
    path = _local_config_json(model)
    if path is not None:
        return arch_from_config(json.loads(path.read_text())), str(path)
    upper = model.upper()
    if "QWEN2.5" in upper or "QWEN2_5" in upper:
        # Longest size first so "72B" is not read as "2B" and "1.5B" not as "5B".
        for size in sorted(QWEN2_5, key=len, reverse=True):
            if f"-{size}" in upper or f"_{size}" in upper:
                return QWEN2_5[size], f"built-in Qwen2.5-{size} architecture"
    raise ValueError(
        f"cannot find the architecture of {model!r}: no config.json locally and not a Qwen2.5 size "
        f"({', '.join(QWEN2_5)}); pass a local model folder"
    )


# --- memory ----------------------------------------------------------------------------------------------


def model_state_bytes(
    params: int, trainable: int, largest: int, gpus: int, stage: int, offload_opt: bool, offload_params: bool
) -> dict[str, float]:
    """Bytes per GPU for weights, gradients and optimizer states (see the module docstring)."""
    n = gpus
    if stage == 3:
        # DeepSpeed's ZeRO-3 estimate: 18 bytes per parameter over all GPUs (2 weights + 4 gradients +
        # 12 fp32 master and Adam moments) plus 4 bytes x the largest layer, gathered whole.
        weights, grads, optim = 2 * params / n + 4 * largest, 4 * trainable / n, 12 * trainable / n
        if offload_opt:
            grads, optim = 0.0, 0.0
        if offload_params:
            weights = 4 * largest
    else:
        grads_shard = {0: 1, 1: 1, 2: n}[stage]
        fp32_shard = 1 if stage == 0 else n
        weights = 2 * params
        grads = 2 * trainable / grads_shard + 4 * trainable / fp32_shard
        optim = 12 * trainable / fp32_shard
        if offload_opt:
            grads, optim = 2 * trainable / grads_shard, 0.0
    return {"weights": weights, "gradients": grads, "optimizer_states": optim}


def host_bytes_per_node(
    trainable: int, params: int, nodes: int, offload_opt: bool, offload_params: bool
) -> float:
    """Host RAM for offloaded states, with DeepSpeed's 1.5 buffer factor."""
    total = (16 * trainable if offload_opt else 0) + (2 * params if offload_params else 0)
    return total * 1.5 / nodes


# TRL's fused LM head (trl/kernels/chunked_logprob.py, applied by SFTTrainer and DPOTrainer 1.16 to every
# model): the LM head runs on tiles of TOKEN_CHUNK_SIZE tokens x this many vocabulary entries.
TRL_TILE_TOKENS = 4096
TRL_TILE_VOCAB = 32768
# Bytes per logit when the full logits exist (transformers' own causal-LM loss): bf16 logits (2), their
# fp32 upcast (4) and the fp32 log-softmax cross-entropy keeps for backward (4). bench/gpu_mfu.py
# measured 8.7-10.7 on an H200 (plain minus fused peak, Qwen2.5 0.5B/1.5B/7B at 32K tokens).
UNFUSED_LOGIT_BYTES = 10


def logits_bytes(arch: Arch, tokens: int, fused: bool = True) -> float:
    """Memory for the loss on ``tokens`` tokens: one tile of TRL's fused LM head (an fp32 accumulator and
    a bf16 product) plus the gradient of the hidden states it returns; or the full logits without it."""
    if not fused:
        return UNFUSED_LOGIT_BYTES * arch.vocab * tokens
    tile = min(tokens, TRL_TILE_TOKENS) * min(arch.vocab, TRL_TILE_VOCAB)
    return 6 * tile + 2 * arch.hidden * tokens


def activation_bytes(
    arch: Arch,
    tokens: int,
    checkpointing: bool,
    *,
    fused_loss: bool = True,
    sequence_parallel: int = 1,
    offload: bool = False,
) -> dict[str, float]:
    """Bytes for one micro-batch of ``tokens`` tokens, per GPU.

    Ulysses sequence parallelism gives each of the ``sequence_parallel`` GPUs ``tokens / sp`` of the
    row for everything outside attention; attention sees the whole row for ``heads / sp`` heads, whose
    all-to-all buffers (q, k, v and the output) are counted. With activation offloading the
    checkpointed layer inputs wait in host RAM (``offloaded``), not on the GPU.
    """
    h, kv, i = arch.hidden, arch.kv_dim, arch.intermediate
    local = tokens / sequence_parallel
    per_layer_token = 2 * (7 * h + 2 * kv + 4 * i)
    layer_inputs = 2 * h * arch.layers * local
    working_set = per_layer_token * local
    ulysses = 2 * (2 * h + 2 * kv) * local if sequence_parallel > 1 else 0.0
    full = per_layer_token * arch.layers * local
    fused = logits_bytes(arch, int(local), fused=True)
    unfused = logits_bytes(arch, int(local), fused=False)
    logits = fused if fused_loss else unfused
    kept_inputs = 0.0 if offload else layer_inputs
    with_ckpt = kept_inputs + working_set + ulysses
    without = (0.0 if offload else full) + ulysses + (working_set if offload else 0.0)
    return {
        "with_checkpointing": with_ckpt + logits,
        "without_checkpointing": without + logits,
        "used": (with_ckpt if checkpointing else without) + logits,
        "layer_inputs": layer_inputs,
        "logits": logits,
        "logits_fused": fused,
        "logits_unfused": unfused,
        "offloaded": (layer_inputs if checkpointing else full) if offload else 0.0,
    }


def sequence_parallel_degrees(arch: Arch, gpus: int, limit: int) -> list[int]:
    """Degrees Ulysses accepts here: dividing the GPUs and the attention heads, and the key-value heads
    dividing it or it them (DeepSpeed replicates KV heads), at most ``limit`` (one node's NVLink)."""
    return [
        sp
        for sp in range(1, min(gpus, limit) + 1)
        if gpus % sp == 0 and arch.heads % sp == 0 and (arch.kv_heads % sp == 0 or sp % arch.kv_heads == 0)
    ]


# --- the plan ----------------------------------------------------------------------------------------------


def _gb(value: float) -> float:
    return round(value / GIB, 2)


def memory_plan(
    cfg: TrainConfig,
    arch: Arch,
    stage: int,
    offload_opt: bool,
    offload_params: bool,
    *,
    gpus: int | None = None,
    sequence_parallel: int | None = None,
    max_length: int | None = None,
) -> dict[str, Any]:
    """Memory per GPU for one layout; ``gpus``, ``sequence_parallel`` and ``max_length`` default to the
    config's (the context-length table varies them)."""
    params = arch.params()
    trainable = arch.lora_params(cfg.lora.r) if cfg.lora else params
    gpus = gpus or cfg.gpus
    sp = sequence_parallel or cfg.distributed.sequence_parallel
    length = max_length or cfg.data.max_length
    states = model_state_bytes(
        params, trainable, arch.largest_layer_params(), gpus, stage, offload_opt, offload_params
    )
    if cfg.method == "dpo" and not cfg.dpo.precompute_ref_log_probs and not cfg.lora:
        # The frozen reference model: bf16 weights, sharded like the policy's under ZeRO-3.
        states["reference_weights"] = 2 * params / (gpus if stage == 3 else 1)
    model_states = sum(states.values())
    micro_tokens = cfg.training.per_device_train_batch_size * length
    if cfg.method == "dpo":
        micro_tokens *= 2  # chosen and rejected go through together
    acts = activation_bytes(
        arch,
        micro_tokens,
        cfg.training.gradient_checkpointing,
        sequence_parallel=sp,
        offload=cfg.training.activation_offloading,
    )
    total = model_states + acts["used"]
    host = host_bytes_per_node(trainable, params, cfg.plan.nodes, offload_opt, offload_params)
    host += acts["offloaded"] * min(gpus, cfg.plan.gpus_per_node)
    return {
        "zero_stage": stage,
        "offload_optimizer": offload_opt,
        "offload_params": offload_params,
        "sequence_parallel": sp,
        "memory_per_gpu_gb": {
            **{k: _gb(v) for k, v in states.items()},
            "model_states": _gb(model_states),
            "activations": _gb(acts["used"]),
            "activations_with_checkpointing": _gb(acts["with_checkpointing"]),
            "activations_without_checkpointing": _gb(acts["without_checkpointing"]),
            "checkpointed_layer_inputs": _gb(acts["layer_inputs"]),
            "logits_fused_loss": _gb(acts["logits_fused"]),
            "logits_without_fused_loss": _gb(acts["logits_unfused"]),
            "total": _gb(total),
        },
        "host_memory_per_node_gb": _gb(host),
        "fits": total + cfg.plan.reserve_gb * GIB <= cfg.plan.gpu_memory_gb * GIB
        and host <= cfg.plan.host_memory_gb * GIB,
    }


CONTEXT_LENGTHS = (4096, 8192, 16384, 32768, 65536, 131072)
GPU_COUNTS = (1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128)


def smallest_gpus(cfg: TrainConfig, arch: Arch, length: int) -> dict[str, Any]:
    """The fewest GPUs (and the smallest sequence-parallel degree on them) that fit one row of ``length``
    tokens in the config's ZeRO stage and offload settings; sequence parallelism stays within a node and
    is 1 for DPO (TRL's DPOTrainer does not shard sequences)."""
    d = cfg.distributed
    for gpus in GPU_COUNTS:
        limit = 1 if cfg.method == "dpo" else cfg.plan.gpus_per_node
        for sp in sequence_parallel_degrees(arch, gpus, limit):
            m = memory_plan(
                cfg,
                arch,
                d.zero_stage,
                d.offload_optimizer,
                d.offload_params,
                gpus=gpus,
                sequence_parallel=sp,
                max_length=length,
            )
            if m["fits"]:
                return {
                    "max_length": length,
                    "gpus": gpus,
                    "sequence_parallel": sp,
                    "total_gb": m["memory_per_gpu_gb"]["total"],
                }
    return {"max_length": length, "gpus": None, "sequence_parallel": None, "total_gb": None}


def _plan_arch(cfg: TrainConfig) -> tuple[Arch, str]:
    try:
        return resolve_arch(cfg.model)
    except ValueError:
        if cfg.plan.architecture is None:
            raise
        return resolve_arch(cfg.plan.architecture)


def flops_per_token(cfg: TrainConfig, arch: Arch, attention_context: float) -> float:
    """Model FLOPs per training token: 3 x the forward's (forward and backward). Forward matmuls are
    2 x the parameters a token is multiplied by (not an untied model's input embedding, a lookup);
    causal attention's forward is 4 x hidden x layers x the mean context, ``attention_context / 2``
    (``attention_context`` = the token-weighted mean length of a sample: tokens attend within their
    own sample). DPO adds the reference's forward; LoRA's frozen weights skip their weight gradients."""
    lookup = 0 if arch.tied else arch.embedding_params()
    matmul = 2 * (arch.params() - lookup)
    attention = 2 * arch.hidden * arch.layers * attention_context
    forward = matmul + attention
    if cfg.lora:
        trainable = arch.lora_params(cfg.lora.r)
        total = 2 * forward + 2 * trainable  # forward + input gradients, and the adapters' weight gradients
    else:
        total = 3 * forward
    if cfg.method == "dpo":
        total += forward  # the reference model's forward pass
    return total


def make_plan(
    cfg: TrainConfig, tokens: int, tokens_source: str = "given", attention_context: float | None = None
) -> dict[str, Any]:
    """The plan as a JSON-ready dict; ``tokens`` is one epoch of training tokens, ``attention_context``
    the token-weighted mean sample length (from the data; default max_length, every row one sample)."""
    arch, arch_source = _plan_arch(cfg)
    params = arch.params()
    trainable = arch.lora_params(cfg.lora.r) if cfg.lora else params
    d, p = cfg.distributed, cfg.plan
    chosen = memory_plan(cfg, arch, d.zero_stage, d.offload_optimizer, d.offload_params)
    options = [
        memory_plan(cfg, arch, stage, opt, par)
        for stage in (0, 1, 2, 3)
        for opt, par in ((False, False), (True, False), (True, True))
        if not (par and stage != 3) and not (opt and stage == 0)
    ]
    epoch_tokens = int(tokens)
    total_tokens = epoch_tokens * cfg.training.num_train_epochs
    context = float(attention_context or cfg.data.max_length)
    flops = flops_per_token(cfg, arch, context) * total_tokens
    gpu_seconds = flops / (p.peak_tflops * 1e12 * p.mfu)
    gpu_hours = gpu_seconds / 3600
    return {
        "model": cfg.model,
        "method": cfg.method,
        "architecture_source": arch_source,
        "params": params,
        "trainable_params": trainable,
        "gpus": cfg.gpus,
        "nodes": p.nodes,
        "gpu": p.gpu_name,
        "gpu_memory_gb": p.gpu_memory_gb,
        "tokens": int(total_tokens),
        "tokens_per_epoch": epoch_tokens,
        "epochs": cfg.training.num_train_epochs,
        "tokens_source": tokens_source,
        "flops": flops,
        **chosen,
        "gpu_hours": round(gpu_hours, 2),
        "wall_hours": round(gpu_hours / cfg.gpus, 2),
        "cost_usd": round(gpu_hours * p.usd_per_gpu_hour, 2),
        "sequence_parallel": d.sequence_parallel,
        "context_lengths": [smallest_gpus(cfg, arch, length) for length in CONTEXT_LENGTHS],
        "gpus_searched": GPU_COUNTS[-1],
        "assumptions": {
            "attention_context": round(context, 1),
            "fused_loss": True,
            "activation_offloading": cfg.training.activation_offloading,
            "mfu": p.mfu,
            "reserve_gb": p.reserve_gb,
            "peak_tflops": p.peak_tflops,
            "usd_per_gpu_hour": p.usd_per_gpu_hour,
            "micro_batch_tokens": cfg.training.per_device_train_batch_size * cfg.data.max_length,
            "gradient_checkpointing": cfg.training.gradient_checkpointing,
            "memory_unit": "GiB (2**30 bytes)",
        },
        "options": [
            {
                "zero_stage": o["zero_stage"],
                "offload_optimizer": o["offload_optimizer"],
                "offload_params": o["offload_params"],
                "total_gb": o["memory_per_gpu_gb"]["total"],
                "host_memory_per_node_gb": o["host_memory_per_node_gb"],
                "fits": o["fits"],
            }
            for o in options
        ],
    }


def count_tokens(cfg: TrainConfig, data_dir: Path | None = None) -> tuple[int, str, float]:
    """One epoch's training tokens from the real data, rendered with the model's tokenizer when it is
    available locally, else with the tiny tokenizer (which splits text into more pieces: an upper bound);
    where they came from; and the token-weighted mean sample length (attention's context)."""
    from agentic_pipeline.tiny import load_tokenizer
    from agentic_pipeline.train.data import dpo_pairs, sft_samples

    data = cfg.data.model_copy(update={"data_dir": data_dir}) if data_dir else cfg.data
    name = cfg.tokenizer_name
    try:
        tokenizer = load_tokenizer(None if name == TINY else name)
        source = f"counted in {data.data_dir} with the {name} tokenizer"
    except FileNotFoundError:
        tokenizer = load_tokenizer(None)
        source = (
            f"counted in {data.data_dir} with the tiny tokenizer ({name} is not available locally; its "
            "larger vocabulary gives fewer tokens, so this is an upper bound)"
        )
    if cfg.method == "dpo":
        pairs = dpo_pairs(data, tokenizer)
        lengths = [len(x.input_ids) for p in pairs for x in (p.chosen, p.rejected)]
    else:
        lengths = [len(s.input_ids) for s in sft_samples(data, tokenizer)]
    total = sum(lengths)
    # Tokens attend within their own sample: the token-weighted mean sample length sets attention's FLOPs.
    context = sum(n * n for n in lengths) / total if total else float(cfg.data.max_length)
    return total, source, context
