"""GPU training throughput and MFU on one card, for the Qwen2.5 architecture at sizes that fit it.

    python bench/gpu_mfu.py                                  # 0.5B, 1.5B, 7B x 4K/16K/32K x 3 losses + DPO
    python bench/gpu_mfu.py --sizes 0.5B --lengths 4096 --out mfu.json
    python bench/gpu_mfu.py --tiny-cpu --out mfu.json        # checks the script end to end on a CPU

For each size a model is built from its config with random weights (nothing is downloaded), in bf16
on the GPU, with activation checkpointing (as the long-context configs train). Each row is one
whole trajectory of L tokens (no packing: the question is what a 4K, 16K or 32K episode costs), and
one step is forward, backward and a fused AdamW update:

- SFT, ``plain`` loss: ``model(input_ids, labels=...)``, i.e. transformers' own causal-LM loss, which
  materialises the full logits and upcasts them to fp32 (L x vocab x (2 + 4) bytes, 30 GiB at 32K).
- SFT, ``liger`` loss: the decoder's hidden states go to Liger Kernel's fused linear + cross-entropy,
  which never holds more than a chunk of the logits. Without a CUDA device (``--tiny-cpu``) a
  chunked, recomputed loss in plain torch stands in, so the code path runs in the test suite.
- SFT, ``trl`` loss: TRL's own fused LM head (``trl.trainer.utils.add_fused_lm_head``, tiles of
  4,096 tokens x 32,768 vocabulary entries), which SFTTrainer and DPOTrainer of the pinned TRL apply
  to every model they train: this is the loss the pipeline's training really runs.
- DPO: chosen and rejected (L tokens each, default 4,096) through the policy with backward, and
  through a frozen reference copy without; the sigmoid DPO loss on summed log-probabilities, taken
  from full logits (``plain``) or from TRL's fused head (``trl``), as DPOTrainer does.

MFU = model FLOPs per second / the card's dense bf16 peak (data sheet). Two counts are printed:
``mfu_6n`` = 6 x params x tokens (the planner's convention: ``agentic plan`` assumes 40%), and
``mfu`` = the exact matmul count: 6 x (params - the input embedding's lookup, for untied models)
plus causal attention 6 x layers x hidden x L per token (DPO: 8 x and 8 x / 6 with the reference's
forward). Recomputation under checkpointing is not counted (it is not model FLOPs). Optimizer states
are bf16 here (8 bytes per parameter with weights and gradients, so 7B fits one card); the fp32
master weights of a ZeRO run change memory, not the matmul time this measures.

Memory: the peak allocated during the timed steps and, for comparison, the planner's activation
estimate for the same row (``agentic_pipeline.train.plan.activation_bytes``). A configuration that
does not fit prints OOM and the run goes on. Results are written as JSON after every row, so a run
cut short keeps what it measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

from agentic_pipeline.train.plan import QWEN2_5, Arch, activation_bytes  # noqa: E402

GIB = 2**30

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

TINY_ARCH = Arch(64, 128, 2, 4, 2, 512, tied=True)


def peak_for(name: str) -> float | None:
    for key, value in PEAK_TFLOPS.items():
        if key in name:
            return value
    return None


def matmul_flops_per_token(arch: Arch) -> int:
    """Forward matmul FLOPs per token outside attention: 2 x the parameters a token multiplies by
    (an untied model's input embedding is a lookup, not a matmul; a tied one's is the LM head too)."""
    lookup = 0 if arch.tied else arch.embedding_params()
    return 2 * (arch.params() - lookup)


def attention_flops_per_token(arch: Arch, length: int) -> float:
    """Forward causal attention FLOPs per token, averaged over a row of ``length``: QK^T and AV,
    2 x 2 x hidden x (mean context (length + 1) / 2) per layer."""
    return arch.layers * 4 * arch.hidden * (length + 1) / 2


def step_flops(arch: Arch, length: int, kind: str) -> dict[str, float]:
    """Model FLOPs for one row of ``length`` tokens: training is 3 x forward (forward + backward);
    DPO adds the reference model's forward."""
    passes = 4 if kind == "dpo" else 3
    exact = passes * (matmul_flops_per_token(arch) + attention_flops_per_token(arch, length)) * length
    six_n = (8 if kind == "dpo" else 6) * arch.params() * length
    return {"exact": exact, "six_n": six_n}


def qwen2_config(arch: Arch, attn: str, max_positions: int) -> Any:
    from transformers import Qwen2Config

    return Qwen2Config(
        hidden_size=arch.hidden,
        intermediate_size=arch.intermediate,
        num_hidden_layers=arch.layers,
        num_attention_heads=arch.heads,
        num_key_value_heads=arch.kv_heads,
        vocab_size=arch.vocab,
        tie_word_embeddings=arch.tied,
        max_position_embeddings=max_positions,
        use_cache=False,
        attn_implementation=attn,
    )


def build_model(
    arch: Arch, attn: str, device: Any, dtype: Any, max_positions: int, checkpointing: bool = True
) -> Any:
    import torch
    from transformers import Qwen2ForCausalLM

    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            torch.manual_seed(0)
            model = Qwen2ForCausalLM(qwen2_config(arch, attn, max_positions))
    finally:
        torch.set_default_dtype(previous)
    if checkpointing:
        with warnings.catch_warnings():  # renamed activation_checkpointing_enable in transformers 5.2x
            warnings.simplefilter("ignore", FutureWarning)
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    return model


class ChunkedLinearCrossEntropy:
    """A fused-loss stand-in in plain torch: logits are made and freed one chunk of tokens at a time
    and recomputed in backward (torch.utils.checkpoint), so the full logits never exist."""

    name = "chunked (torch)"

    def __init__(self, chunk: int = 1024) -> None:
        self.chunk = chunk

    def __call__(self, weight: Any, hidden: Any, target: Any) -> Any:
        import torch
        import torch.nn.functional as F
        from torch.utils.checkpoint import checkpoint

        def piece(h: Any, t: Any) -> Any:
            return F.cross_entropy((h @ weight.t()).float(), t, reduction="sum")

        total = hidden.new_zeros((), dtype=torch.float32)
        for start in range(0, hidden.shape[0], self.chunk):
            end = start + self.chunk
            total = total + checkpoint(piece, hidden[start:end], target[start:end], use_reentrant=False)
        return total / target.numel()


def liger_loss(cuda: bool) -> Any:
    import torch

    if cuda and torch.cuda.is_available():
        try:
            from liger_kernel.transformers import LigerFusedLinearCrossEntropyLoss
        except ImportError:
            print(
                "liger-kernel is not installed (pip install 'agentic-pipeline[gpu]'): chunked torch loss instead"
            )
        else:
            loss = LigerFusedLinearCrossEntropyLoss()
            loss.name = "liger"
            return loss
    return ChunkedLinearCrossEntropy()


def sft_step(model: Any, ids: Any, loss_kind: str, fused: Any) -> Any:
    if loss_kind == "plain":
        return model(input_ids=ids, labels=ids).loss
    if loss_kind == "trl":
        return model(input_ids=ids, labels=ids, fused_lm_head=True).loss
    hidden = model.model(input_ids=ids).last_hidden_state
    h = hidden[:, :-1].reshape(-1, hidden.shape[-1])
    return fused(model.lm_head.weight, h, ids[:, 1:].reshape(-1))


def sequence_logps(model: Any, ids: Any, loss_kind: str) -> Any:
    import torch

    if loss_kind == "trl":
        return model(input_ids=ids, labels=ids, fused_lm_head=True).log_probs.sum(-1)
    logits = model(input_ids=ids).logits[:, :-1].float()
    logps = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    return logps.sum(-1)


def dpo_step(model: Any, reference: Any, ids: Any, loss_kind: str, beta: float = 0.1) -> Any:
    """Rows 0 and 1 are chosen and rejected, through the policy together (TRL concatenates them too)."""
    import torch
    import torch.nn.functional as F

    policy = sequence_logps(model, ids, loss_kind)
    with torch.no_grad():
        ref = sequence_logps(reference, ids, loss_kind)
    margin = (policy[0] - ref[0]) - (policy[1] - ref[1])
    return -F.logsigmoid(beta * margin)


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def measure(
    run_step: Any,
    optimizer: Any,
    warmup: int,
    steps: int,
) -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available()
    for _ in range(warmup):
        run_step().backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    sync()
    resident = torch.cuda.memory_allocated() if cuda else 0
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    loss = None
    for _ in range(steps):
        loss = run_step()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    sync()
    elapsed = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() if cuda else 0
    return {
        "seconds_per_step": elapsed / steps,
        "loss_value": float(loss.detach().float()) if loss is not None else None,
        "resident_gib": round(resident / GIB, 2),
        "peak_gib": round(peak / GIB, 2),
    }


def matmul_tflops(device: Any) -> float | None:
    """What a large bf16 matmul reaches on this card: the ceiling the MFU figures sit under."""
    import torch

    if device.type != "cuda":
        return None
    a = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    sync()
    start = time.perf_counter()
    for _ in range(10):
        a @ b
    sync()
    return round(10 * 2 * 8192**3 / (time.perf_counter() - start) / 1e12, 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available() and not args.tiny_cpu
    device = torch.device("cuda" if cuda else "cpu")
    dtype = torch.bfloat16 if cuda else torch.float32
    name = torch.cuda.get_device_name() if cuda else "CPU (tiny model, script check only)"
    peak = (args.peak_tflops or peak_for(name)) if cuda else None
    sizes = {"tiny": TINY_ARCH} if args.tiny_cpu else {s: QWEN2_5[s] for s in args.sizes}
    lengths = [128, 512] if args.tiny_cpu else args.lengths
    dpo_length = 128 if args.tiny_cpu else args.dpo_length
    import transformers

    results: dict[str, Any] = {
        "device": name,
        "peak_tflops": peak,
        "matmul_tflops": matmul_tflops(device),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "attn_implementation": args.attn,
        "dtype": str(dtype).replace("torch.", ""),
        "activation_checkpointing": args.checkpointing,
        "warmup_steps": args.warmup,
        "timed_steps": args.steps,
        "command": "python bench/gpu_mfu.py " + " ".join(sys.argv[1:]),
        "rows": [],
    }
    fused = liger_loss(cuda) if "liger" in args.losses else None
    results["liger_loss"] = fused.name if fused else None
    try:
        from trl.trainer.utils import add_fused_lm_head
    except ImportError:
        add_fused_lm_head = None
    losses = [loss for loss in args.losses if loss != "trl" or add_fused_lm_head is not None]
    if losses != args.losses:
        print("trl is not installed: its fused LM head is left out")
    dpo_losses = [loss for loss in ("plain", "trl") if loss in losses] if args.dpo else []
    results["trl"] = getattr(sys.modules.get("trl"), "__version__", None)
    print(
        f"device: {name}; dense bf16 peak {peak} TFLOP/s; 8192^3 bf16 matmul {results['matmul_tflops']} TFLOP/s"
    )
    print(
        f"losses: {', '.join(losses)} (liger: {results['liger_loss']}); attention: {args.attn}; {args.warmup} warm-up + {args.steps} timed steps"
    )

    def save() -> None:
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=2) + "\n")

    for size, arch in sizes.items():
        started = time.perf_counter()
        model = build_model(
            arch, args.attn, device, dtype, max(max(lengths), 2 * dpo_length, 32768), args.checkpointing
        )
        if add_fused_lm_head is not None:
            add_fused_lm_head(model, outputs=("log_probs",))  # only used when called with fused_lm_head=True
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=cuda)
        params = arch.params()
        print(f"\n{size}: {params / 1e9:.3f} B parameters, built in {time.perf_counter() - started:.1f} s")
        plan = [("sft", length, loss) for length in lengths for loss in losses]
        plan += [("dpo", dpo_length, loss) for loss in dpo_losses]
        reference = None
        for kind, length, loss_kind in plan:
            rows_per_step = 2 if kind == "dpo" else 1
            generator = torch.Generator(device=device).manual_seed(length)
            ids = torch.randint(0, arch.vocab, (rows_per_step, length), device=device, generator=generator)
            if kind == "dpo" and reference is None:
                import copy

                reference = copy.deepcopy(model).eval().requires_grad_(False)
                if add_fused_lm_head is not None:
                    add_fused_lm_head(reference, outputs=("log_probs",))

            def step(
                ids: Any = ids,
                kind: str = kind,
                loss_kind: str = loss_kind,
                model: Any = model,
                reference: Any = reference,
            ) -> Any:
                if kind == "dpo":
                    return dpo_step(model, reference, ids, loss_kind)
                return sft_step(model, ids, loss_kind, fused)

            row: dict[str, Any] = {
                "size": size,
                "params": params,
                "kind": kind,
                "loss": "chunked" if loss_kind == "liger" and fused.name != "liger" else loss_kind,
                "tokens_per_row": length,
                "rows_per_step": rows_per_step,
            }
            try:
                timing = measure(step, optimizer, args.warmup, args.steps)
            except torch.OutOfMemoryError:
                row["status"] = "OOM"
                optimizer.zero_grad(set_to_none=True)
            else:
                tokens = length * rows_per_step
                flops = step_flops(arch, length, kind)
                tps = tokens / timing["seconds_per_step"]
                row.update(timing, status="ok", tokens_per_s=round(tps, 1))
                if peak:
                    row["mfu"] = round(
                        flops["exact"] * rows_per_step / timing["seconds_per_step"] / (peak * 1e12), 4
                    )
                    row["mfu_6n"] = round(
                        flops["six_n"] * rows_per_step / timing["seconds_per_step"] / (peak * 1e12), 4
                    )
                planned = activation_bytes(arch, tokens, checkpointing=args.checkpointing)
                row["planner_activations_gib"] = round(planned["used"] / GIB, 2)
            gc.collect()
            if cuda:
                torch.cuda.empty_cache()
            results["rows"].append(row)
            save()
            print(format_row(row), flush=True)
        del model, optimizer, reference
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()
    return results


def format_row(row: dict[str, Any]) -> str:
    head = f"{row['size']:>5} {row['kind']:>3} {row['loss']:>5} {row['tokens_per_row']:>6} x{row['rows_per_step']}"
    if row["status"] != "ok":
        return f"{head}  {row['status']}"
    mfu = f"  MFU {100 * row['mfu']:5.1f}% (6N: {100 * row['mfu_6n']:5.1f}%)" if "mfu" in row else ""
    return (
        f"{head}  {row['seconds_per_step']:7.3f} s/step  {row['tokens_per_s']:>10,.0f} tok/s{mfu}"
        f"  peak {row['peak_gib']:6.1f} GiB (resident {row['resident_gib']:.1f}, planner activations "
        f"{row['planner_activations_gib']:.1f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("--sizes", nargs="+", default=["0.5B", "1.5B", "7B"], choices=sorted(QWEN2_5))
    parser.add_argument(
        "--lengths", nargs="+", type=int, default=[4096, 16384, 32768], help="Tokens per row."
    )
    parser.add_argument(
        "--losses",
        nargs="+",
        default=["plain", "liger", "trl"],
        choices=["plain", "liger", "trl"],
        help="SFT loss implementations to time (DPO: plain and trl of these).",
    )
    parser.add_argument("--dpo-length", type=int, default=4096, help="Tokens per DPO row (chosen, rejected).")
    parser.add_argument("--no-dpo", dest="dpo", action="store_false", help="Leave the DPO step out.")
    parser.add_argument(
        "--no-checkpointing",
        dest="checkpointing",
        action="store_false",
        help="Keep every activation (no recomputation): shows what checkpointing costs in time.",
    )
    parser.add_argument("--steps", type=int, default=3, help="Timed steps per row (after the warm-up).")
    parser.add_argument("--warmup", type=int, default=2, help="Untimed steps first (kernel compilation).")
    parser.add_argument(
        "--attn", default="sdpa", help="sdpa (flash kernel for causal rows) or flash_attention_2."
    )
    parser.add_argument("--peak-tflops", type=float, help="Dense bf16 peak, if the card is not in the table.")
    parser.add_argument("--out", help="Write the results here as JSON (after every row).")
    parser.add_argument("--tiny-cpu", action="store_true", help="A tiny model on the CPU: checks the script.")
    args = parser.parse_args()

    import torch

    if not args.tiny_cpu and not torch.cuda.is_available():
        print("no CUDA device visible: this benchmark needs a GPU (--tiny-cpu checks the script on a CPU)")
        return 2
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    results = run(args)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    ok = [r for r in results["rows"] if r["status"] == "ok" and "mfu" in r]
    if ok:
        best = max(ok, key=lambda r: r["mfu_6n"])
        print(
            f"\nbest MFU (6N convention, as the planner counts): {100 * best['mfu_6n']:.1f}% "
            f"({best['size']} {best['kind']} {best['loss']} at {best['tokens_per_row']} tokens); "
            f"the planner assumes 40% for 8 x H100 ZeRO-3"
        )
    print(f"wall time {results['wall_seconds']} s")
    return 0 if all(math.isfinite(r.get("loss_value") or 0.0) for r in results["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
