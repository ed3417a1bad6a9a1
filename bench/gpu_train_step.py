"""This project's own training on a GPU: SFT and DPO steps through ``agentic_pipeline.train`` (rendered
tool trajectories, BFD-packed padding-free rows, TRL's SFTTrainer / DPOTrainer with their fused LM head,
bf16, activation checkpointing), for Qwen2.5 architectures built from their config (random weights).

    python bench/gpu_train_step.py --out steps.json                 # 0.5B and 1.5B, rows of 4K and 32K, + DPO
    python bench/gpu_train_step.py --tiny-cpu                       # the same code on a CPU (numbers meaningless)

bench/gpu_mfu.py times the model's step alone; this one times what `agentic train sft|dpo` runs,
trainer and data collation included, and prints the planner's FLOPs for the same tokens (attention
over the real packed samples' mean length), so its MFU is the figure `agentic plan` assumes.
Token ids come from the tiny tokenizer (they lie inside Qwen's vocabulary); the speed of a step does
not depend on which ids they are. Without flash-attn installed, sdpa runs the packed rows (each row
attends as one sequence: the same matmuls, slightly more attention work than the planner counts).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from gpu_mfu import TINY_ARCH, build_model, peak_for  # noqa: E402
from train_records import long_tailed_lengths, preference, trajectory, write_records  # noqa: E402

from agentic_pipeline.train.plan import QWEN2_5, flops_per_token  # noqa: E402


def clock() -> Any:
    import torch
    from transformers import TrainerCallback

    class Clock(TrainerCallback):
        stamps: list[float] = []

        def on_step_end(self, *_args: Any, **_kwargs: Any) -> None:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.stamps.append(time.perf_counter())

    return Clock()


def profile_train(trainer: Any, out: Path) -> None:
    """Train under torch.profiler (steps 3 and 4) and write where the time went, by CPU and by GPU."""
    import torch
    from torch.profiler import ProfilerActivity, profile, schedule
    from transformers import TrainerCallback

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=activities, schedule=schedule(wait=2, warmup=0, active=2)) as prof:

        class Step(TrainerCallback):
            def on_step_end(self, *_args: Any, **_kwargs: Any) -> None:
                prof.step()

        trainer.add_callback(Step())
        trainer.train()
    averages = prof.key_averages()
    gpu = "self_cuda_time_total" if torch.cuda.is_available() else "self_cpu_time_total"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        averages.table(sort_by=gpu, row_limit=30)
        + "\n\n"
        + averages.table(sort_by="self_cpu_time_total", row_limit=30)
        + "\n\n"
        + averages.table(sort_by="cpu_time_total", row_limit=40)
    )


def run_one(method: str, arch: Any, size: str, length: int, args: argparse.Namespace, tmp: Path) -> dict:
    import torch

    from agentic_pipeline.tiny import load_tokenizer
    from agentic_pipeline.train.config import TrainConfig
    from agentic_pipeline.train.dpo import build_dpo_trainer
    from agentic_pipeline.train.sft import build_sft_trainer

    cuda = torch.cuda.is_available() and not args.tiny_cpu
    tokenizer = load_tokenizer(None)
    rows = args.steps * args.batch
    if method == "sft":
        n = max(16, rows * length // 700)
        lengths = long_tailed_lengths(n, seed=2)
        records = [trajectory(i, lengths[i]) for i in range(n)]
    else:
        records = [preference(i) for i in range(max(8, rows * 2))]
    data_dir = write_records(tmp / f"data-{method}-{size}-{length}", records)
    cfg = TrainConfig(
        method=method,
        model="tiny",
        data={
            "data_dir": str(data_dir),
            "max_length": length,
            "overlong": "split" if method == "sft" else "drop",
        },
        training={
            "output_dir": str(tmp / f"out-{method}-{size}-{length}"),
            "max_steps": args.steps,
            "per_device_train_batch_size": args.batch,
            "learning_rate": 1e-6,
            "lr_scheduler_type": "constant",
            "bf16": cuda,
            "use_cpu": not cuda,
            "gradient_checkpointing": True,
            "logging_steps": 1,
            "save_steps": 10**6,
            "report_to": ["none"],
            "extra": {"save_strategy": "no"},
        },
    )
    device = torch.device("cuda" if cuda else "cpu")
    dtype = torch.bfloat16 if cuda else torch.float32
    model = build_model(arch, args.attn, device, dtype, max(32768, length))
    cfg.attn_implementation = args.attn
    if method == "dpo":
        from agentic_pipeline.train.data import build_dpo_dataset

        dataset, _ = build_dpo_dataset(cfg, tokenizer)
        # PreferenceCollator pads chosen and rejected to the longest of the batch: count what runs.
        samples = [len(x) for name in ("chosen", "rejected") for x in dataset[f"{name}_input_ids"]]
        reference = build_model(arch, args.attn, device, dtype, max(32768, length))
        trainer, _ = build_dpo_trainer(
            cfg, tokenizer=tokenizer, model=model, ref_model=reference, dataset=dataset
        )
    else:
        from agentic_pipeline.train.data import build_sft_dataset

        dataset, _ = build_sft_dataset(cfg, tokenizer)
        samples = [n for row in dataset["seq_lengths"] for n in row]
        trainer, _ = build_sft_trainer(cfg, tokenizer=tokenizer, model=model, dataset=dataset)
    # Tokens attend within their sample: the token-weighted mean sample length, as `agentic plan` counts.
    context = sum(n * n for n in samples) / sum(samples)
    timer = clock()
    timer.stamps = []
    trainer.add_callback(timer)
    started = time.perf_counter()
    if args.profile:
        profile_train(trainer, Path(args.profile) / f"{method}-{size}-{length}.txt")
    else:
        trainer.train()
    wall = time.perf_counter() - started
    history = [e for e in trainer.state.log_history if "loss" in e]
    warm = 2 if len(timer.stamps) > 3 else 1
    elapsed = timer.stamps[-1] - timer.stamps[warm - 1]
    steps = len(timer.stamps) - warm
    seen = [e.get("num_tokens") for e in history]
    if method == "sft" and seen and seen[-1] is not None:
        tokens = seen[-1] - seen[warm - 1]
    else:  # DPO: the mean pair's chosen + rejected tokens, per pair of each timed step
        tokens = sum(samples) / (len(samples) / 2) * args.batch * steps
    tps = tokens / elapsed
    row: dict[str, Any] = {
        "method": method,
        "size": size,
        "max_length": length,
        "steps_timed": steps,
        "seconds_per_step": round(elapsed / steps, 4),
        "tokens_per_s": round(tps, 1),
        "wall_seconds": round(wall, 1),
        "losses": [round(e["loss"], 4) for e in history],
        "attention_context": round(context, 1),
    }
    if cuda:
        peak = args.peak_tflops or peak_for(torch.cuda.get_device_name())
        row["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        if peak:
            row["mfu"] = round(flops_per_token(cfg, arch, context) * tps / (peak * 1e12), 4)
    del trainer, model
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["0.5B", "1.5B"], choices=sorted(QWEN2_5))
    parser.add_argument("--lengths", nargs="+", type=int, default=[4096, 32768])
    parser.add_argument("--dpo-length", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=6, help="Optimizer steps; the first 2 are warm-up.")
    parser.add_argument("--batch", type=int, default=1, help="Packed rows (SFT) or pairs (DPO) per step.")
    parser.add_argument("--peak-tflops", type=float)
    parser.add_argument(
        "--attn",
        default="sdpa",
        help="sdpa, flex_attention (block masks per packed sample), flash_attention_2.",
    )
    parser.add_argument("--no-dpo", dest="dpo", action="store_false", help="Leave the DPO run out.")
    parser.add_argument("--out", help="JSON results, written after every run.")
    parser.add_argument("--profile", help="Folder: profile steps 3-4 of each run with torch.profiler.")
    parser.add_argument("--tiny-cpu", action="store_true", help="A tiny model on the CPU: checks the script.")
    args = parser.parse_args()

    import torch

    if not args.tiny_cpu and not torch.cuda.is_available():
        print("no CUDA device visible (--tiny-cpu checks the script on a CPU)")
        return 2
    if args.tiny_cpu:
        from dataclasses import replace

        from agentic_pipeline.tiny import load_tokenizer

        sizes = {"tiny": replace(TINY_ARCH, vocab=len(load_tokenizer(None)))}  # every tiny-tokenizer id
    else:
        sizes = {s: QWEN2_5[s] for s in args.sizes}
    lengths = [1024, 2048] if args.tiny_cpu else args.lengths
    dpo_length = 2048 if args.tiny_cpu else args.dpo_length
    if args.tiny_cpu:
        args.steps = 4
    results: dict[str, Any] = {
        "device": torch.cuda.get_device_name() if torch.cuda.is_available() and not args.tiny_cpu else "CPU",
        "command": "python bench/gpu_train_step.py " + " ".join(sys.argv[1:]),
        "attn_implementation": args.attn,
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        plan = [("sft", size, length) for size in sizes for length in lengths]
        plan += [("dpo", size, dpo_length) for size in list(sizes)[:1] if args.dpo]
        for method, size, length in plan:
            try:
                row = run_one(method, sizes[size], size, length, args, Path(tmp))
            except torch.OutOfMemoryError:
                row = {"method": method, "size": size, "max_length": length, "status": "OOM"}
            results["runs"].append(row)
            if args.out:
                Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
            mfu = f", MFU {100 * row['mfu']:.1f}%" if "mfu" in row else ""
            print(
                f"{method} {size} rows of {length}: "
                + (
                    f"{row['seconds_per_step']:.3f} s/step, {row['tokens_per_s']:,.0f} tokens/s{mfu}, "
                    f"losses {row['losses'][:2]}...{row['losses'][-1:]}"
                    if "tokens_per_s" in row
                    else row["status"]
                ),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
