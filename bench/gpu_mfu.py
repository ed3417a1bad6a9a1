"""GPU SFT throughput and MFU: a Qwen2.5-0.5B-architecture model built from its config (random
weights, nothing downloaded), a few SFT steps through this pipeline (rendered tool trajectories,
BFD-packed rows, padding-free) with TRL's SFTTrainer in bf16.

    python bench/gpu_mfu.py [--steps 12] [--batch 4] [--max-length 4096] [--attn sdpa|flash_attention_2]
    python bench/gpu_mfu.py --tiny-cpu      # checks the script end to end on a CPU (numbers meaningless)

Prints the card, tokens/s over the steps after warm-up, and MFU = model FLOPs / (elapsed x peak),
with model FLOPs = 6 x params x tokens (and, separately, including causal attention's
6 x layers x hidden x context per token). Token ids come from the tiny tokenizer (they lie inside
Qwen's vocabulary); the speed of a step does not depend on which ids they are.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from train_records import long_tailed_lengths, trajectory, write_records  # noqa: E402

# Dense bf16 peak TFLOP/s (no sparsity), from the vendors' data sheets; matched on the device name.
PEAK_TFLOPS = {
    "H200": 989.0,
    "H100 SXM": 989.0,
    "H100 80GB HBM3": 989.0,
    "H100 PCIe": 756.0,
    "H100 NVL": 835.0,
    "H100": 989.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 70.0,
    "RTX 4090": 165.0,
}


def peak_for(name: str) -> float | None:
    for key, value in PEAK_TFLOPS.items():
        if key in name:
            return value
    return None


def main() -> int:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM, TrainerCallback

    from agentic_pipeline.tiny import load_tokenizer
    from agentic_pipeline.train.config import TrainConfig
    from agentic_pipeline.train.data import build_sft_dataset
    from agentic_pipeline.train.plan import QWEN2_5
    from agentic_pipeline.train.sft import build_sft_trainer

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=12, help="Optimizer steps; the first 2 are warm-up.")
    parser.add_argument("--batch", type=int, default=4, help="Packed rows per step.")
    parser.add_argument("--max-length", type=int, default=4096, help="Tokens per packed row.")
    parser.add_argument("--attn", default="sdpa", help="sdpa or flash_attention_2 (if installed).")
    parser.add_argument(
        "--tiny-cpu", action="store_true", help="Run a tiny model on CPU to check the script."
    )
    args = parser.parse_args()

    if not args.tiny_cpu and not torch.cuda.is_available():
        print("no CUDA device visible: this benchmark needs a GPU (--tiny-cpu checks the script on a CPU)")
        return 2
    arch = QWEN2_5["0.5B"]
    dims = dict(
        hidden_size=arch.hidden,
        intermediate_size=arch.intermediate,
        num_hidden_layers=arch.layers,
        num_attention_heads=arch.heads,
        num_key_value_heads=arch.kv_heads,
        vocab_size=arch.vocab,
    )
    tokenizer = load_tokenizer(None)
    if args.tiny_cpu:
        dims.update(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4)
        dims.update(vocab_size=len(tokenizer))
        args.steps, args.batch, args.max_length = 4, 1, 1024
    config = Qwen2Config(
        **dims, tie_word_embeddings=True, max_position_embeddings=32768, attn_implementation=args.attn
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    params = sum(p.numel() for p in model.parameters())

    rows_needed = args.steps * args.batch
    n_records = max(16, rows_needed * args.max_length // 800)
    lengths = long_tailed_lengths(n_records, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = write_records(Path(tmp) / "data", [trajectory(i, lengths[i]) for i in range(n_records)])
        cfg = TrainConfig(
            method="sft",
            model="tiny",
            data={"data_dir": str(data_dir), "max_length": args.max_length, "overlong": "split"},
            training={
                "output_dir": str(Path(tmp) / "out"),
                "max_steps": args.steps,
                "per_device_train_batch_size": args.batch,
                "learning_rate": 1e-5,
                "lr_scheduler_type": "constant",
                "bf16": not args.tiny_cpu,
                "use_cpu": args.tiny_cpu,
                "gradient_checkpointing": False,
                "logging_steps": 1,
                "save_steps": 10**6,
                "report_to": ["none"],
            },
        )
        dataset, report = build_sft_dataset(cfg, tokenizer)
        trainer, _ = build_sft_trainer(cfg, tokenizer=tokenizer, model=model, dataset=dataset)
        stamps: list[float] = []

        class Clock(TrainerCallback):
            def on_step_end(self, *_args, **_kwargs):
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                stamps.append(time.perf_counter())

        trainer.add_callback(Clock())
        trainer.train()

        seen = [e["num_tokens"] for e in trainer.state.log_history if "num_tokens" in e and "loss" in e]

    warm = 2 if len(stamps) > 3 else 1
    elapsed = stamps[-1] - stamps[warm - 1]
    tokens = seen[-1] - seen[warm - 1]  # TRL's running count of tokens fed to the model
    tps = tokens / elapsed
    context = (
        args.max_length / 2
    )  # padding-free: a token attends within its own sample, ~half a row on average
    attn_flops = 6 * dims["num_hidden_layers"] * dims["hidden_size"] * context
    name = (
        torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU (tiny model, script check only)"
    )
    peak = peak_for(name) if torch.cuda.is_available() else None
    print(f"device: {name}")
    print(
        f"model: Qwen2-architecture, {params / 1e6:.1f}M parameters, attention {args.attn}, bf16={not args.tiny_cpu}"
    )
    print(f"data: packed rows of {args.max_length} tokens, {report.pack.efficiency * 100:.2f}% real tokens")
    print(
        f"steps timed: {len(stamps) - warm} (after {warm} warm-up), {tokens / (len(stamps) - warm):,.0f} tokens/step"
    )
    print(f"throughput: {tps:,.0f} tokens/s")
    if peak:
        print(f"MFU (6 x params): {100 * 6 * params * tps / (peak * 1e12):.1f}% of {peak:g} TFLOP/s")
        print(f"MFU (with attention): {100 * (6 * params + attn_flops) * tps / (peak * 1e12):.1f}%")
    else:
        print("MFU: unknown peak for this device (add it to PEAK_TFLOPS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
