"""What SFT and DPO share: checks before anything heavy loads, the tokenizer and model, TRL arguments,
the multi-GPU relaunch, and reading losses back from a trainer.

A config that needs GPUs (bf16, DeepSpeed, FSDP) fails at once with a sentence on a machine without
CUDA, and a model that is neither ``tiny``, a local folder nor already downloaded is only fetched
from the hub on a machine that can train it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from agentic_pipeline.train.config import TINY, TrainConfig

log = logging.getLogger(__name__)


class TrainError(RuntimeError):
    """A run that cannot start; the message says why and what to do instead."""


def needs_gpu(cfg: TrainConfig) -> bool:
    d = cfg.distributed
    return not cfg.training.use_cpu and (cfg.training.bf16 or d.zero_stage > 0 or d.fsdp)


def preflight(cfg: TrainConfig) -> None:
    """Fail early, in words, where a run cannot work on this machine."""
    import torch

    where = f"{cfg.source}: " if cfg.source else ""
    if needs_gpu(cfg) and not torch.cuda.is_available():
        raise TrainError(
            f"{where}this config trains on GPUs (bf16"
            f"{', DeepSpeed ZeRO-' + str(cfg.distributed.zero_stage) if cfg.distributed.zero_stage else ''}"
            f"{', FSDP' if cfg.distributed.fsdp else ''}; planned for {cfg.gpus} x {cfg.plan.gpu_name}) and no "
            "CUDA device is visible here. On a CPU machine run configs/sft_tiny.yaml / configs/dpo_tiny.yaml; "
            f"`agentic plan --config {cfg.source or 'CONFIG'}` estimates what this one needs."
        )
    for name in (cfg.model, cfg.dpo.ref_model if cfg.method == "dpo" else None):
        if name and name != TINY and not Path(name).exists() and not _looks_like_hub_name(name):
            raise TrainError(f"{where}model {name!r} is neither a local folder nor a hub name (owner/model)")


def _looks_like_hub_name(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts)


def load_tokenizer_for(cfg: TrainConfig) -> Any:
    """The tiny tokenizer, a local folder's, or a hub model's (downloaded only by a GPU run)."""
    from agentic_pipeline.tiny import load_tokenizer

    name = cfg.tokenizer_name
    if name == TINY:
        return load_tokenizer(None)
    if Path(name).exists():
        return load_tokenizer(name)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name)


def tiny_model(tokenizer: Any, seed: int) -> Any:
    from agentic_pipeline.tiny import build_tiny_model

    return build_tiny_model(tokenizer, seed=seed)


def model_init_kwargs(cfg: TrainConfig) -> dict[str, Any]:
    """How TRL loads a model given by name: bf16 weights when training in bf16, the attention kernel."""
    kwargs: dict[str, Any] = {"dtype": "bfloat16" if cfg.training.bf16 else "float32"}
    if cfg.attn_implementation:
        kwargs["attn_implementation"] = cfg.attn_implementation
    return kwargs


def trl_args(cfg: TrainConfig) -> dict[str, Any]:
    """The keyword arguments SFTConfig and DPOConfig share, from the config's training section."""
    t, d = cfg.training, cfg.distributed
    args: dict[str, Any] = dict(
        output_dir=str(t.output_dir),
        learning_rate=t.learning_rate,
        num_train_epochs=t.num_train_epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.per_device_train_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        lr_scheduler_type=t.lr_scheduler_type,
        warmup_steps=t.warmup_steps,
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        bf16=t.bf16,
        activation_checkpointing=t.gradient_checkpointing,  # transformers 5's name for it
        activation_offloading=t.activation_offloading,
        seed=t.seed,
        data_seed=t.seed,
        report_to=[r for r in t.report_to if r != "none"] or "none",
        logging_steps=t.logging_steps,
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        use_cpu=t.use_cpu,
    )
    launched_by_accelerate = os.environ.get("ACCELERATE_USE_DEEPSPEED") or os.environ.get(
        "ACCELERATE_USE_FSDP"
    )
    if d.deepspeed is not None and not launched_by_accelerate:
        # Under `accelerate launch` its config decides (DeepSpeed file or FSDP); under torchrun or the
        # deepspeed launcher, the Trainer is told the DeepSpeed file here.
        args["deepspeed"] = str(d.deepspeed)
    args.update(t.extra)
    return args


def lora_config(cfg: TrainConfig) -> Any:
    if cfg.lora is None:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.target_modules,
        task_type="CAUSAL_LM",
    )


def resume_arg(cfg: TrainConfig) -> str | bool | None:
    """``true`` resumes from the newest checkpoint of output_dir when there is one (else starts fresh)."""
    value = cfg.training.resume_from_checkpoint
    if value is True:
        from transformers.trainer_utils import get_last_checkpoint

        out = Path(cfg.training.output_dir)
        last = get_last_checkpoint(str(out)) if out.is_dir() else None
        if last is None:
            log.info("no checkpoint in %s yet: starting from the beginning", out)
        return last
    return value or None


def loss_history(trainer: Any) -> list[dict[str, float]]:
    """The trainer's logged training steps (``loss``, and for DPO ``rewards/margins`` ...)."""
    return [entry for entry in trainer.state.log_history if "loss" in entry]


def finish_distributed() -> None:
    """Tear the process group down before the interpreter exits. Left to interpreter shutdown, gloo's
    and NCCL's threads can be destroyed while still joinable ("terminate called without an active
    exception", SIGABRT) and torchrun reports a finished run as failed."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def in_distributed_launch() -> bool:
    return "LOCAL_RANK" in os.environ or "RANK" in os.environ


def maybe_relaunch(cfg: TrainConfig, command: str, extra_args: list[str] | None = None) -> int | None:
    """Re-run this command under ``accelerate launch`` when the config names an accelerate config,
    several GPUs are visible and we are not already inside a launcher. Returns its exit code, or None
    when this process should train itself."""
    import torch

    if cfg.distributed.accelerate_config is None or in_distributed_launch() or cfg.source is None:
        return None
    if not torch.cuda.is_available() or torch.cuda.device_count() < 2:
        return None
    argv = [
        sys.executable, "-m", "accelerate.commands.launch",
        "--config_file", str(cfg.distributed.accelerate_config),
        "-m", "agentic_pipeline.cli", "train", command, "--config", str(cfg.source),
        *(extra_args or []),
    ]  # fmt: skip
    log.info("launching: %s", " ".join(argv))
    return subprocess.call(argv)  # noqa: S603 - our own interpreter and arguments
