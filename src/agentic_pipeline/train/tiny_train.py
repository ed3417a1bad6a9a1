"""The quickstart's training: SFT then DPO of the tiny model on a data directory, on CPU, in a minute or two.

    summary = run_quickstart_training(Path("data"), Path("out/train"))
    summary["sft"]["losses"], summary["dpo"]["reward_margins"], summary["samples"], summary["plots"]

Writes ``sft/`` and ``dpo/`` (models and checkpoints), ``sft_loss.png``, ``dpo_loss.png`` and
``samples.json`` (greedy continuations of a few prompts of the data by the trained model) under
``out_dir``. The configs are ``tiny_config("sft")`` / ``tiny_config("dpo")``, the same settings as
``configs/sft_tiny.yaml`` and ``configs/dpo_tiny.yaml`` (a test keeps them equal).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from agentic_pipeline.train.config import TrainConfig
from agentic_pipeline.train.data import DPO_KINDS, SFT_KINDS, data_files, read_records

log = logging.getLogger(__name__)

# Shared by both stages; a tiny randomly initialised model needs a high learning rate to move in
# tens of steps, and fixed seeds make two runs on the same data give the same numbers.
_TRAINING = {
    "per_device_train_batch_size": 2,
    "gradient_accumulation_steps": 1,
    "lr_scheduler_type": "constant",
    "logging_steps": 1,
    "save_steps": 1000,
    "seed": 0,
    "use_cpu": True,
    "bf16": False,
    "gradient_checkpointing": False,
    "report_to": ["tensorboard"],
}
TINY_CONFIGS: dict[str, dict[str, Any]] = {
    "sft": {
        "method": "sft",
        "model": "tiny",
        "data": {"data_dir": "data", "max_length": 2048, "overlong": "split", "weights": {}},
        "sft": {"packing": True, "padding_free": True},
        "training": {**_TRAINING, "output_dir": "runs/sft_tiny", "learning_rate": 3e-3, "max_steps": 30},
        "plan": {"gpus_per_node": 1, "gpu_name": "CPU", "usd_per_gpu_hour": 0},
    },
    "dpo": {
        "method": "dpo",
        "model": "runs/sft_tiny",
        "tokenizer": "tiny",
        "data": {"data_dir": "data", "max_length": 2048, "overlong": "drop", "weights": {}},
        "dpo": {"beta": 0.1, "loss_type": "sigmoid", "precompute_ref_log_probs": False},
        "training": {**_TRAINING, "output_dir": "runs/dpo_tiny", "learning_rate": 1e-3, "max_steps": 15},
        "plan": {"architecture": "tiny", "gpus_per_node": 1, "gpu_name": "CPU", "usd_per_gpu_hour": 0},
    },
}


def tiny_config(method: str, **sections: dict[str, Any]) -> TrainConfig:
    """The tiny config of ``method`` with some fields of its sections replaced."""
    raw = json.loads(json.dumps(TINY_CONFIGS[method]))
    for section, values in sections.items():
        if isinstance(raw.get(section), dict):
            raw[section].update(values)
        else:
            raw[section] = values
    return TrainConfig.model_validate(raw)


def plot_history(history: list[dict[str, float]], keys: list[str], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.5), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        points = [(e["step"], e[key]) for e in history if key in e]
        ax.plot([s for s, _ in points], [v for _, v in points], marker=".")
        ax.set_xlabel("step")
        ax.set_title(key)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _prompts(data_dir: Path, n: int) -> list[tuple[str, list[dict], list[dict] | None]]:
    """(record id, messages before the first assistant turn, tools) of the first n SFT records."""
    out = []
    for item in read_records(data_dir, SFT_KINDS)[:n]:
        messages = item.record["messages"]
        first = next((i for i, m in enumerate(messages) if m["role"] == "assistant"), len(messages))
        out.append((item.record["id"], messages[:first], item.record.get("tools")))
    return out


def generate_samples(
    model_dir: Path, tokenizer: Any, data_dir: Path, n: int = 3, max_new_tokens: int = 48
) -> list[dict]:
    """Greedy continuations of the first prompts of the data by the model saved in ``model_dir``."""
    import torch
    from transformers import AutoModelForCausalLM

    from agentic_pipeline.render import to_template_messages

    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    samples = []
    for record_id, messages, tools in _prompts(data_dir, n):
        ids = tokenizer.apply_chat_template(
            to_template_messages(messages),
            tools=tools,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
        )["input_ids"]
        with torch.no_grad():
            out = model.generate(
                torch.tensor([ids]),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
            )
        samples.append(
            {
                "record_id": record_id,
                "prompt_tail": messages[-1]["content"] if messages else "",
                "generated": tokenizer.decode(out[0, len(ids) :], skip_special_tokens=False),
            }
        )
    return samples


def _stage_summary(trainer: Any, report: Any) -> dict[str, Any]:
    history = [e for e in trainer.state.log_history if "loss" in e]
    return {
        "steps": trainer.state.global_step,
        "losses": [round(e["loss"], 4) for e in history],
        "first_loss": history[0]["loss"] if history else None,
        "last_loss": history[-1]["loss"] if history else None,
        "data": report.as_dict() if report else None,
    }


def _steps(max_steps: int | None) -> dict[str, int]:
    return {} if max_steps is None else {"max_steps": max_steps}


def run_quickstart_training(
    data_dir: Path, out_dir: Path, sft_steps: int | None = None, dpo_steps: int | None = None
) -> dict[str, Any]:
    """SFT then DPO (when the data has preference pairs) of the tiny model; returns the numbers.

    ``sft_steps`` / ``dpo_steps`` override the tiny configs' max_steps (30 / 15)."""
    from agentic_pipeline.train.dpo import TRAINED_TURNS, build_dpo_trainer
    from agentic_pipeline.train.runtime import load_tokenizer_for
    from agentic_pipeline.train.sft import build_sft_trainer

    data_dir, out_dir = Path(data_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sft_dir, dpo_dir = out_dir / "sft", out_dir / "dpo"
    sft_cfg = tiny_config(
        "sft", data={"data_dir": str(data_dir)}, training={"output_dir": str(sft_dir), **_steps(sft_steps)}
    )
    tokenizer = load_tokenizer_for(sft_cfg)

    trainer, report = build_sft_trainer(sft_cfg, tokenizer=tokenizer)
    trainer.train()
    trainer.save_model(str(sft_dir))
    summary: dict[str, Any] = {"sft": _stage_summary(trainer, report), "plots": {}}
    summary["plots"]["sft"] = str(
        plot_history(trainer.state.log_history, ["loss"], out_dir / "sft_loss.png", "SFT (tiny model)")
    )
    final_dir = sft_dir

    if data_files(data_dir, DPO_KINDS):
        dpo_cfg = tiny_config(
            "dpo",
            model=str(sft_dir),
            data={"data_dir": str(data_dir)},
            training={"output_dir": str(dpo_dir), **_steps(dpo_steps)},
        )
        trainer, report = build_dpo_trainer(dpo_cfg, tokenizer=tokenizer)
        trainer.train()
        trainer.save_model(str(dpo_dir))
        summary["dpo"] = _stage_summary(trainer, report)
        summary["dpo"]["reward_margins"] = [
            round(e["rewards/margins"], 4) for e in trainer.state.log_history if "rewards/margins" in e
        ]
        summary["dpo"]["trained_turns"] = TRAINED_TURNS
        summary["plots"]["dpo"] = str(
            plot_history(
                trainer.state.log_history,
                ["loss", "rewards/margins"],
                out_dir / "dpo_loss.png",
                "DPO (tiny model)",
            )
        )
        final_dir = dpo_dir
    else:
        summary["dpo"] = None
        log.warning("%s has no preference pairs: DPO skipped", data_dir)

    summary["model_dir"] = str(final_dir)
    summary["samples"] = generate_samples(final_dir, tokenizer, data_dir)
    (out_dir / "samples.json").write_text(json.dumps(summary["samples"], indent=2) + "\n")
    return summary
