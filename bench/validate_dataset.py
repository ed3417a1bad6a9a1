"""Validation throughput on a reference dataset shaped like the target.

    python bench/validate_dataset.py                 # 85K records, ~3K tokens each on average
    python bench/validate_dataset.py --records 5000  # a quick run

Builds (once, cached under the temp dir) a dataset of every kind in the seed's layout, in the
proportions of the targets: trajectories with lognormal numbers of steps and lognormal tool-output
lengths, reasoning and domain answers, multi-turn sessions, preference pairs. The text pieces are
real text: slices of the Python standard library's source (code, docstrings, comments) framed as
commands, test output and answers. Then it runs the whole validator (every check, the workers it
would use by default) and, separately, only the tokenization of the same rendered texts with the
same tokenizer (the fast tokenizer's batch encode, which runs in its own threads on all cores).
It prints records/s, MB/s, the total time, and the ratio of the two. Targets on a 2-core machine:
the whole 85K in <= 3 minutes and <= 1.5x bare tokenization.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.curate import Options, validate
from agentic_pipeline.layout import TARGETS, data_file
from agentic_pipeline.records import (
    CONVERSATION_CATEGORIES,
    PREFERENCE_CATEGORIES,
    REASONING_CATEGORIES,
    TRAJECTORY_CATEGORIES,
)
from agentic_pipeline.render import assistant_spans
from agentic_pipeline.tiny import load_tokenizer

ROOT = Path(__file__).resolve().parents[1]
FORMAT_VERSION = 1  # bump when the generator changes, so the cache is rebuilt
DOMAINS = ("kubernetes", "postgres", "networking")
COMMANDS = (
    "python -m pytest -q",
    "git status --short",
    "ls -la src",
    "grep -rn 'def ' src | head -50",
    "python -m pytest -q -x tests/test_core.py",
    "cat setup.cfg",
    "git diff",
    "make build",
    "ruff check .",
)


class Corpus:
    """Slices of real text: the standard library's Python source, as one long string."""

    def __init__(self, rng: np.random.Generator) -> None:
        lib = Path(sysconfig.get_paths()["stdlib"])
        self.text = "\n".join(p.read_text(errors="replace") for p in sorted(lib.glob("*.py")))
        self.rng = rng

    def piece(self, mean_chars: float, sigma: float = 0.9) -> str:
        # lognormal with the given mean: mu = ln(mean) - sigma^2 / 2
        n = int(self.rng.lognormal(np.log(mean_chars) - sigma**2 / 2, sigma))
        n = max(20, min(n, 60_000))
        start = int(self.rng.integers(0, len(self.text) - n - 1))
        return self.text[start : start + n]

    def sentence(self, scale: float) -> str:
        return self.piece(180 * scale, 0.6).strip() or "Next step."


class Builder:
    def __init__(self, seed: int, scale: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.corpus = Corpus(self.rng)
        self.scale = scale
        example = json.loads((ROOT / "schemas" / "examples" / "trajectory_debugging.json").read_text())
        self.tools = example["tools"]
        self.system = example["messages"][0]["content"]
        self.n = 0

    def _id(self, kind: str) -> str:
        self.n += 1
        return f"bench-{kind}-{self.n:06d}"

    def _steps(self, mean_steps: float) -> int:
        return max(1, int(self.rng.lognormal(np.log(mean_steps) - 0.18, 0.6)))

    def _tool_exchange(self, i: int) -> list[dict]:
        call_id = f"call_{i}"
        command = COMMANDS[int(self.rng.integers(len(COMMANDS)))]
        output = self.corpus.piece(1100 * self.scale) + f"\n[exit code: {int(self.rng.integers(0, 2))}]"
        return [
            {
                "role": "assistant",
                "content": self.corpus.sentence(self.scale),
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "bash", "arguments": {"command": command}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "name": "bash", "content": output},
        ]

    def trajectory(self, category: str) -> dict:
        messages = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": "Fix the failing tests. " + self.corpus.sentence(self.scale)},
        ]
        for i in range(self._steps(6)):
            messages += self._tool_exchange(i)
        messages.append({"role": "assistant", "content": self.corpus.piece(500 * self.scale)})
        return {
            "id": self._id("trajectory"),
            "kind": "trajectory",
            "category": category,
            "tools": self.tools,
            "messages": messages,
            "outcome": {"verified": True, "verifier": "tests", "detail": "all passed"},
            "metadata": {"source": "bench", "teacher": "oracle"},
        }

    def qa(self, kind: str, category: str) -> dict:
        return {
            "id": self._id(kind),
            "kind": kind,
            "category": category,
            "messages": [
                {"role": "user", "content": self.corpus.piece(600 * self.scale)},
                {"role": "assistant", "content": self.corpus.piece(7000 * self.scale)},
            ],
            "metadata": {"source": "bench"},
        }

    def conversation(self) -> dict:
        messages = [{"role": "system", "content": self.system}]
        for turn in range(self._steps(3)):
            messages.append({"role": "user", "content": self.corpus.sentence(self.scale)})
            for i in range(self._steps(2)):
                messages += self._tool_exchange(turn * 10 + i)
            messages.append({"role": "assistant", "content": self.corpus.piece(400 * self.scale)})
        return {
            "id": self._id("conversation"),
            "kind": "conversation",
            "category": "coding_sessions",
            "tools": self.tools,
            "messages": messages,
            "metadata": {"source": "bench"},
        }

    def preference(self, category: str) -> dict:
        return {
            "id": self._id("preference"),
            "kind": "preference",
            "category": category,
            "prompt": [{"role": "user", "content": self.corpus.piece(800 * self.scale)}],
            "chosen": [{"role": "assistant", "content": self.corpus.piece(3500 * self.scale)}],
            "rejected": [{"role": "assistant", "content": self.corpus.piece(3500 * self.scale)}],
            "metadata": {"source": "bench", "evidence": {"tests": "chosen passed, rejected failed"}},
        }

    def record(self, kind: str, category: str) -> dict:
        if kind == "trajectory":
            return self.trajectory(category)
        if kind == "conversation":
            return self.conversation()
        if kind == "preference":
            return self.preference(category)
        return self.qa(kind, category)


def plan(total: int) -> list[tuple[str, str, int]]:
    """(kind, category, count) in the proportions of the targets."""
    categories = {
        "trajectory": TRAJECTORY_CATEGORIES,
        "reasoning": REASONING_CATEGORIES,
        "domain": DOMAINS,
        "conversation": CONVERSATION_CATEGORIES,
        "preference": PREFERENCE_CATEGORIES,
    }
    weight = sum(TARGETS.values())
    out = []
    for kind, target in TARGETS.items():
        n_kind = round(total * target / weight)
        cats = categories[kind]
        for i, category in enumerate(cats):
            out.append((kind, category, n_kind // len(cats) + (i < n_kind % len(cats))))
    return out


def _spans_of(obj: dict, tok) -> list[tuple[str, list]]:
    if obj["kind"] == "preference":
        p = obj["prompt"]
        return [
            assistant_spans(p + obj[s], obj.get("tools"), tok, train_from=len(p), verify=False)
            for s in ("chosen", "rejected")
        ]
    return [assistant_spans(obj["messages"], obj.get("tools"), tok, verify=False)]


def calibrate(seed: int, target_tokens: float, tok) -> float:
    """The length scale that makes records average ``target_tokens`` tokens."""
    scale = 1.0
    for _ in range(3):
        builder = Builder(seed + 1, scale)
        items = [
            item
            for kind, cat, n in plan(400)
            for _ in range(n)
            for item in _spans_of(builder.record(kind, cat), tok)[:1]
        ]
        mean = np.mean([len(e) for e in tok.backend_tokenizer.encode_batch([t for t, _ in items])])
        scale *= target_tokens / mean
    return scale


def build(data_dir: Path, total: int, seed: int, target_tokens: float, tok) -> None:
    scale = calibrate(seed, target_tokens, tok)
    builder = Builder(seed, scale)
    tmp = data_dir.with_name(data_dir.name + ".partial")
    for kind, category, count in plan(total):
        path = data_file(tmp, kind, category)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            for _ in range(count):
                f.write(orjson.dumps(builder.record(kind, category)) + b"\n")
    tmp.rename(data_dir)


def rendered_texts(data_dir: Path, tok) -> list[str]:
    texts = []
    for path in sorted(data_dir.rglob("*.jsonl")):
        with path.open("rb") as f:
            texts += [text for line in f for text, _ in _spans_of(orjson.loads(line), tok)]
    return texts


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_tokenization(texts: list[str], tok, batch: int = 2000) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, tokens) of the fast tokenizer's batch encode alone."""
    backend = tok.backend_tokenizer
    tokens = 0
    start, cpu = time.perf_counter(), cpu_seconds()
    for i in range(0, len(texts), batch):
        tokens += sum(len(e) for e in backend.encode_batch(texts[i : i + batch], add_special_tokens=False))
    return time.perf_counter() - start, cpu_seconds() - cpu, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=85_000, help="Records in the reference dataset.")
    parser.add_argument("--tokens", type=float, default=3000, help="Mean tokens per record (tiny tokenizer).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="Validator workers; 0: one per core.")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the bare tokenization run.")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "agentic-bench-validate")
    args = parser.parse_args()

    tok = load_tokenizer(None)
    data_dir = args.cache / f"v{FORMAT_VERSION}-n{args.records}-t{int(args.tokens)}-s{args.seed}"
    if not data_dir.exists():
        started = time.perf_counter()
        build(data_dir, args.records, args.seed, args.tokens, tok)
        print(f"built {data_dir} in {time.perf_counter() - started:.0f} s")
    size = sum(p.stat().st_size for p in data_dir.rglob("*.jsonl"))

    cpu = cpu_seconds()
    report = validate(Options(data_dir=data_dir, workers=args.workers))
    cpu = cpu_seconds() - cpu
    s = report.summary
    seconds = s["seconds"]
    cats = [c for k in s["balance"].values() for c in k["categories"].values()]
    mean_tokens = sum(c["tokens"]["mean"] * c["count"] for c in cats) / max(1, sum(c["count"] for c in cats))

    print(
        f"dataset: {s['records']:,} records, {size / 1e6:,.0f} MB, {mean_tokens:,.0f} tokens per record "
        f"(the longer side of a pair), {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"findings: {s['errors']} errors, {s['warnings']} warnings {s['by_check']}")
    print(
        f"validate: {seconds:.1f} s total, {s['records_per_s']:,.0f} records/s, {s['mb_per_s']:.1f} MB/s, "
        f"{cpu:.1f} CPU s",
        flush=True,
    )

    if args.no_baseline:
        return
    texts = rendered_texts(data_dir, tok)
    tok_seconds, tok_cpu, tokens = bare_tokenization(texts, tok)
    print(
        f"bare tokenization of the same rendered text ({len(texts):,} texts, both sides of pairs, "
        f"{tokens:,} tokens): {tok_seconds:.1f} s, {tok_cpu:.1f} CPU s ({tokens / tok_seconds / 1e6:.2f} M tokens/s)"
    )
    ratio, cpu_ratio = seconds / tok_seconds, cpu / tok_cpu
    # On a shared machine wall-clock time depends on the other processes; CPU time much less.
    print(f"validate / tokenize: {ratio:.2f}x wall clock, {cpu_ratio:.2f}x CPU time (target <= 1.5x)")
    print(f"total {seconds:.0f} s for {s['records']:,} records (target <= 180 s for 85K)")


if __name__ == "__main__":
    main()
