"""bench/gpu_mfu.py on a CPU: the same code the GPU run takes (model built from a config, SFT steps with
each loss, a DPO step, FLOP counts, JSON), on a tiny model; and the three losses it times agree on the
same batch, so a speed difference between them is not a difference in what they compute."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import gpu_mfu  # noqa: E402


def test_tiny_cpu_run_writes_every_row(tmp_path):
    out = tmp_path / "mfu.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "gpu_mfu.py"),
            "--tiny-cpu",
            "--steps",
            "1",
            "--warmup",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text())
    rows = results["rows"]
    kinds = {(r["kind"], r["loss"], r["tokens_per_row"]) for r in rows}
    assert kinds == {("sft", loss, n) for loss in ("plain", "chunked", "trl") for n in (128, 512)} | {
        ("dpo", "plain", 128),
        ("dpo", "trl", 128),
    }
    assert all(r["status"] == "ok" and r["tokens_per_s"] > 0 for r in rows)
    assert results["liger_loss"] == "chunked (torch)" and results["activation_checkpointing"] is True
    assert "MFU" not in done.stdout  # no peak on a CPU: no made-up utilisation


def test_the_three_losses_compute_the_same_value():
    from trl.trainer.utils import add_fused_lm_head

    model = gpu_mfu.build_model(gpu_mfu.TINY_ARCH, "sdpa", torch.device("cpu"), torch.float32, 256)
    add_fused_lm_head(model, outputs=("log_probs",))
    ids = torch.randint(0, gpu_mfu.TINY_ARCH.vocab, (1, 200), generator=torch.Generator().manual_seed(1))
    chunked = gpu_mfu.ChunkedLinearCrossEntropy(chunk=64)  # 200 tokens: 4 chunks, the last one short
    values = {kind: gpu_mfu.sft_step(model, ids, kind, chunked).item() for kind in ("plain", "liger", "trl")}
    assert values["liger"] == pytest.approx(values["plain"], rel=1e-5)
    assert values["trl"] == pytest.approx(values["plain"], rel=1e-5)
    reference = gpu_mfu.build_model(gpu_mfu.TINY_ARCH, "sdpa", torch.device("cpu"), torch.float32, 256)
    add_fused_lm_head(reference, outputs=("log_probs",))
    pair = ids.repeat(2, 1)
    plain, trl = (gpu_mfu.dpo_step(model, reference, pair, kind).item() for kind in ("plain", "trl"))
    assert trl == pytest.approx(plain, rel=1e-5)


def test_flop_counts_by_hand():
    arch = gpu_mfu.QWEN2_5["7B"]  # untied: the input embedding is a lookup
    flops = gpu_mfu.step_flops(arch, 4096, "sft")
    matmul = 2 * (arch.params() - 152_064 * 3584)
    attention = 28 * 4 * 3584 * (4096 + 1) / 2
    assert flops["exact"] == pytest.approx(3 * (matmul + attention) * 4096)
    assert flops["six_n"] == 6 * arch.params() * 4096
    assert gpu_mfu.step_flops(arch, 4096, "dpo")["exact"] == pytest.approx(4 * (matmul + attention) * 4096)
