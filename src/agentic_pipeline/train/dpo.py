"""DPO with TRL's DPOTrainer, from the SFT checkpoint, on multi-turn tool conversations.

    python train_dpo.py --config configs/dpo_tiny.yaml
    accelerate launch --config_file configs/accelerate/deepspeed_zero3.yaml \\
        -m agentic_pipeline.cli train dpo --config configs/dpo_32b.yaml

Which tokens are trained: a preference record is ``prompt`` (the shared prefix: system, task, and
any earlier turns with their tool calls and observations) plus ``chosen`` or ``rejected`` (the
continuations). Each side is rendered whole with the model's chat template and its tools, and the
DPO log-probability of a side sums over the assistant turns of its continuation only: their text,
tool calls and end-of-turn tokens. The prompt, including its assistant turns, is context and is not
trained; tool observations inside a continuation are context too (the model does not write them).

TRL 1.16's own preference collator would count every continuation token, observations included, so
the trainer gets ``PreferenceCollator`` (a ``data_collator`` argument; the trainer is not subclassed),
which builds the batch from our ids and masks.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_pipeline.train.config import TINY, TrainConfig
from agentic_pipeline.train.data import DataReport, build_dpo_dataset
from agentic_pipeline.train.runtime import (
    load_tokenizer_for,
    lora_config,
    model_init_kwargs,
    preflight,
    tiny_model,
    trl_args,
)

log = logging.getLogger(__name__)

TRAINED_TURNS = (
    "DPO trains the assistant turns of each continuation (chosen / rejected): text, tool calls and "
    "end-of-turn tokens; the shared prompt (including its earlier assistant turns) and tool observations "
    "are context only"
)


@dataclass
class PreferenceCollator:
    """Batch = all chosen rows, then all rejected rows (DPOTrainer's layout), right-padded."""

    pad_token_id: int

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        rows = [(e["chosen_input_ids"], e["chosen_mask"]) for e in examples]
        rows += [(e["rejected_input_ids"], e["rejected_mask"]) for e in examples]
        width = max(len(ids) for ids, _ in rows)
        input_ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
        completion_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, (ids, mask) in enumerate(rows):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            attention_mask[i, : len(ids)] = 1
            completion_mask[i, : len(ids)] = torch.tensor(mask)
        out = {"input_ids": input_ids, "attention_mask": attention_mask, "completion_mask": completion_mask}
        for key in ("ref_chosen_logps", "ref_rejected_logps"):
            if key in examples[0]:
                out[key] = torch.tensor([e[key] for e in examples])
        return out


def dpo_config(cfg: TrainConfig) -> Any:
    from trl import DPOConfig

    return DPOConfig(
        **trl_args(cfg),
        beta=cfg.dpo.beta,
        loss_type=cfg.dpo.loss_type,
        precompute_ref_log_probs=cfg.dpo.precompute_ref_log_probs,
        max_length=None,  # enforced already by data.py (overlong pairs are dropped and counted)
        remove_unused_columns=False,  # PreferenceCollator reads our id / mask columns
        model_init_kwargs=None if cfg.model == TINY else model_init_kwargs(cfg),
    )


def _reference(cfg: TrainConfig, model: Any, ref_model: Any) -> Any:
    """The frozen reference: given, named in the config, or a copy of an in-memory starting model.

    DPOTrainer otherwise reloads the reference from the model's ``_name_or_path``, which an in-memory
    model built here (the tiny one) does not have; precomputed log-probs need no reference at all.
    """
    if ref_model is not None or cfg.dpo.precompute_ref_log_probs:
        return ref_model
    if cfg.dpo.ref_model:
        return cfg.dpo.ref_model if cfg.dpo.ref_model != TINY else copy.deepcopy(model)
    if not isinstance(model, str):
        return copy.deepcopy(model).eval()
    return None


def _on_disk(dataset: Any, folder: Path) -> Any:
    """The dataset saved once (main process) and memory-mapped by every process.

    TRL caches precomputed reference log-probs next to the dataset's files; an in-memory dataset has
    none, so each process would look in its own temporary folder and ranks > 0 would not find the
    cache the main process wrote.
    """
    from accelerate import PartialState
    from datasets import load_from_disk

    state = PartialState()
    with state.main_process_first():
        if state.is_main_process:
            dataset.save_to_disk(str(folder))
        return load_from_disk(str(folder))


def build_dpo_trainer(
    cfg: TrainConfig, tokenizer: Any = None, model: Any = None, ref_model: Any = None, dataset: Any = None
) -> tuple[Any, DataReport | None]:
    from trl import DPOTrainer

    preflight(cfg)
    tokenizer = tokenizer if tokenizer is not None else load_tokenizer_for(cfg)
    report = None
    if dataset is None:
        dataset, report = build_dpo_dataset(cfg, tokenizer)
        for line in report.lines():
            log.info(line)
        if cfg.dpo.precompute_ref_log_probs:
            dataset = _on_disk(dataset, Path(cfg.training.output_dir) / "dpo_dataset")
    log.info(TRAINED_TURNS)
    args = dpo_config(cfg)
    if model is None:
        model = tiny_model(tokenizer, cfg.training.seed) if cfg.model == TINY else cfg.model
    ref = _reference(cfg, model, ref_model)
    if isinstance(ref, str):
        import torch
        from transformers import AutoModelForCausalLM

        kwargs = model_init_kwargs(cfg)
        ref = AutoModelForCausalLM.from_pretrained(
            ref, **{**kwargs, "dtype": getattr(torch, kwargs["dtype"])}
        )
    trainer = DPOTrainer(
        model=model,
        ref_model=ref,
        args=args,
        data_collator=PreferenceCollator(tokenizer.pad_token_id),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=lora_config(cfg),
    )
    return trainer, report


def run_dpo(cfg: TrainConfig) -> dict[str, Any]:
    from agentic_pipeline.train.runtime import finish_distributed, loss_history, resume_arg

    trainer, report = build_dpo_trainer(cfg)
    result = trainer.train(resume_from_checkpoint=resume_arg(cfg))
    trainer.save_model(str(cfg.training.output_dir))
    history = loss_history(trainer)
    summary = {
        "output_dir": str(cfg.training.output_dir),
        "train_loss": result.training_loss,
        "steps": trainer.state.global_step,
        "losses": [entry["loss"] for entry in history],
        "reward_margins": [entry.get("rewards/margins") for entry in history],
        "trained_turns": TRAINED_TURNS,
        "data": report.as_dict() if report else None,
    }
    if trainer.is_world_process_zero():
        Path(cfg.training.output_dir, "data_report.json").write_text(json.dumps(summary, indent=2) + "\n")
    finish_distributed()
    return summary
