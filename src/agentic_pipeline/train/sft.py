"""SFT with TRL's SFTTrainer, used as it is, on our pre-rendered and packed token rows.

    python train_sft.py --config configs/sft_tiny.yaml                  # CPU, seconds
    accelerate launch --config_file configs/accelerate/deepspeed_zero3.yaml \\
        -m agentic_pipeline.cli train sft --config configs/sft_32b.yaml   # 8 GPUs

What TRL receives: rows of ``input_ids``, ``labels`` (-100 outside assistant turns) and
``seq_lengths`` (our best-fit-decreasing packing, no token dropped). TRL's own packing and
truncation are off (``packing=False``, ``max_length=None``): the data stage has already enforced
max_length at turn boundaries. With ``padding_free`` each batch is one flat sequence whose position
ids restart at every sample, so attention never crosses samples.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from agentic_pipeline.train.config import TINY, TrainConfig
from agentic_pipeline.train.data import DataReport, build_sft_dataset
from agentic_pipeline.train.runtime import (
    load_tokenizer_for,
    lora_config,
    model_init_kwargs,
    preflight,
    tiny_model,
    trl_args,
)

log = logging.getLogger(__name__)


def sft_config(cfg: TrainConfig) -> Any:
    from trl import SFTConfig

    return SFTConfig(
        **trl_args(cfg),
        packing=False,  # packed already, by pack.py
        max_length=None,  # enforced already, at turn boundaries, by data.py
        padding_free=cfg.sft.padding_free,
        # Ulysses splits every flattened batch into sequence_parallel equal shards: pad to a multiple.
        pad_to_multiple_of=cfg.distributed.sequence_parallel
        if cfg.distributed.sequence_parallel > 1
        else None,
        model_init_kwargs=None if cfg.model == TINY else model_init_kwargs(cfg),
    )


SLOW_ON_PACKED_ROWS = ("sdpa", "eager")


def attention_advice(cfg: TrainConfig) -> str | None:
    """A sentence when a GPU run would train packed rows with an attention that is slow on them:
    transformers then builds a block mask that sdpa's flash kernel cannot take. On one H200, a 0.5B
    model's SFT step on packed rows took 0.94 s with sdpa and 0.24 s with flex_attention at 4K, 2.94 s
    and 0.45 s at 32K (bench/gpu_train_step.py)."""
    attn = cfg.attn_implementation or "sdpa"
    if cfg.training.use_cpu or not cfg.sft.padding_free or attn not in SLOW_ON_PACKED_ROWS:
        return None
    return (
        f"attn_implementation: {attn} on packed padding-free rows is 4-6x slower on a GPU than "
        "flex_attention (in torch, no install) or flash_attention_2 (pip install flash-attn); "
        "set attn_implementation in the config"
    )


def build_sft_trainer(
    cfg: TrainConfig, tokenizer: Any = None, model: Any = None, dataset: Any = None
) -> tuple[Any, DataReport | None]:
    """An SFTTrainer for this config; pass a tokenizer, model or dataset to reuse ones already built."""
    from trl import SFTTrainer

    preflight(cfg)
    advice = attention_advice(cfg)
    if advice:
        log.warning("%s%s", f"{cfg.source}: " if cfg.source else "", advice)
    tokenizer = tokenizer if tokenizer is not None else load_tokenizer_for(cfg)
    report = None
    if dataset is None:
        dataset, report = build_sft_dataset(cfg, tokenizer)
        for line in report.lines():
            log.info(line)
    args = sft_config(cfg)  # before the model: a DeepSpeed ZeRO-3 config must exist when weights load
    if model is None:
        model = tiny_model(tokenizer, cfg.training.seed) if cfg.model == TINY else cfg.model
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=lora_config(cfg),
    )
    return trainer, report


def run_sft(cfg: TrainConfig) -> dict[str, Any]:
    """Train, save the model and tokenizer to output_dir, and return the losses and the data report."""
    from agentic_pipeline.train.runtime import finish_distributed, loss_history, resume_arg

    trainer, report = build_sft_trainer(cfg)
    result = trainer.train(resume_from_checkpoint=resume_arg(cfg))
    trainer.save_model(str(cfg.training.output_dir))
    summary = {
        "output_dir": str(cfg.training.output_dir),
        "train_loss": result.training_loss,
        "steps": trainer.state.global_step,
        "losses": [entry["loss"] for entry in loss_history(trainer)],
        "data": report.as_dict() if report else None,
    }
    if trainer.is_world_process_zero():
        Path(cfg.training.output_dir, "data_report.json").write_text(json.dumps(summary, indent=2) + "\n")
    finish_distributed()
    return summary
