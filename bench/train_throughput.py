"""Tiny-model SFT throughput: this pipeline vs TRL's plain ``messages`` path, same data, same run.

    python bench/train_throughput.py [--records 48] [--max-length 2048] [--epochs 1]

Data: multi-turn tool trajectories in record format (tests/train_records.py) with long-tailed
lengths. Both paths train the tiny model for the same epochs on the same records, on CPU:

  - ours: records rendered from parsed JSON with the assistant mask, best-fit-decreasing packed rows
    of max_length, padding-free batches (one row per step);
  - TRL: a ``datasets`` table of ``messages`` + ``tools`` handed to SFTTrainer with
    ``assistant_only_loss=True`` (TRL swaps in its Qwen2.5 training template), padded batches of 2;
  - TRL with its own ``packing=True`` (BFD, padding-free).

Reported: preparation and training seconds, real (non-pad) tokens per training second, tokens that
carry loss, and how many ``null`` keys Arrow injected into the text TRL's path rendered.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from train_records import long_tailed_lengths, trajectory, write_records  # noqa: E402

TRAINING = {
    "learning_rate": 1e-3,
    "lr_scheduler_type": "constant",
    "logging_steps": 1000,
    "save_steps": 100000,
    "seed": 0,
    "use_cpu": True,
    "report_to": ["none"],
}


def records(n: int) -> list[dict]:
    lengths = long_tailed_lengths(n, seed=1)
    return [trajectory(i, lengths[i]) for i in range(n)]


def run_ours(data_dir: Path, out: Path, max_length: int, epochs: float, tokenizer) -> dict:
    from agentic_pipeline.train.config import TrainConfig
    from agentic_pipeline.train.sft import build_sft_trainer

    cfg = TrainConfig(
        method="sft",
        model="tiny",
        data={"data_dir": str(data_dir), "max_length": max_length, "overlong": "split"},
        training={
            **TRAINING,
            "output_dir": str(out),
            "num_train_epochs": epochs,
            "per_device_train_batch_size": 1,
        },
    )
    start = time.perf_counter()
    trainer, report = build_sft_trainer(cfg, tokenizer=tokenizer)
    prepare = time.perf_counter() - start
    rows = trainer.train_dataset
    real = sum(len(r) for r in rows["input_ids"]) * epochs
    trained = sum(sum(1 for t in r if t != -100) for r in rows["labels"]) * epochs
    return _train(trainer, prepare, real, trained, nulls=0)


def run_trl(recs: list[dict], out: Path, max_length: int, epochs: float, tokenizer, packing: bool) -> dict:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from agentic_pipeline.render import render_conversation
    from agentic_pipeline.tiny import build_tiny_model

    start = time.perf_counter()
    dataset = Dataset.from_list([{"messages": r["messages"], "tools": r["tools"]} for r in recs])
    args = SFTConfig(
        **TRAINING,
        output_dir=str(out),
        num_train_epochs=epochs,
        per_device_train_batch_size=1 if packing else 2,
        max_length=max_length,
        assistant_only_loss=True,
        packing=packing,
        packing_strategy="bfd",
    )
    trainer = SFTTrainer(
        model=build_tiny_model(tokenizer, seed=0),
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    prepare = time.perf_counter() - start
    rows = trainer.train_dataset
    real = sum(len(r) for r in rows["input_ids"]) * epochs
    trained = sum(sum(1 for t in r if t != -100) for r in rows["labels"]) * epochs
    text = "".join(render_conversation(row["messages"], row["tools"], tokenizer).text for row in dataset)
    own = "".join(render_conversation(r["messages"], r["tools"], tokenizer).text for r in recs)
    nulls = len(re.findall(r'": null', text)) - len(re.findall(r'": null', own))
    return _train(trainer, prepare, real, trained, nulls)


def _train(trainer, prepare: float, real: float, trained: float, nulls: int) -> dict:
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    return {
        "prepare_s": prepare,
        "train_s": seconds,
        "steps": trainer.state.global_step,
        "real_tokens": int(real),
        "trained_tokens": int(trained),
        "tokens_per_s": real / seconds,
        "nulls": nulls,
    }


def main() -> None:
    import tempfile

    from agentic_pipeline.tiny import load_tokenizer

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=48, help="Trajectories in the data set.")
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--epochs", type=float, default=1.0)
    args = parser.parse_args()

    tokenizer = load_tokenizer(None)
    recs = records(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data_dir = write_records(tmp / "data", recs)
        results = {
            "ours (rendered, BFD-packed, padding-free)": run_ours(
                data_dir, tmp / "ours", args.max_length, args.epochs, tokenizer
            ),
            "TRL messages path (padded)": run_trl(
                recs, tmp / "trl", args.max_length, args.epochs, tokenizer, False
            ),
            "TRL messages path + packing=bfd": run_trl(
                recs, tmp / "trlp", args.max_length, args.epochs, tokenizer, True
            ),
        }
    print(
        f"{args.records} trajectories, max_length {args.max_length}, {args.epochs:g} epoch(s), tiny model, CPU"
    )
    print(
        f"{'path':42} {'prep s':>7} {'train s':>8} {'steps':>6} {'tokens':>8} {'trained':>8} {'tok/s':>8} {'nulls':>6}"
    )
    for name, r in results.items():
        print(
            f"{name:42} {r['prepare_s']:>7.1f} {r['train_s']:>8.1f} {r['steps']:>6} {r['real_tokens']:>8} "
            f"{r['trained_tokens']:>8} {r['tokens_per_s']:>8.0f} {r['nulls']:>6}"
        )
    print("nulls: `null` keys Arrow injected into tool-call arguments in the text each path trains on.")


if __name__ == "__main__":
    main()
