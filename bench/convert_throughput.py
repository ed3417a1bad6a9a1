"""Records/s of ``agentic convert`` on ~1 GB of JSON Lines in a mix of formats (target: >= 50K records/s).

    python bench/convert_throughput.py                 # 1 GB, all cores
    python bench/convert_throughput.py --size-mb 100 --workers 1

The input is generated once and cached under /tmp (one file per format: Alpaca, ShareGPT with tool
calls, OpenAI chat with tool calls, Dolly, question/answer, HH-RLHF preference pairs, and one file
mixing them all line by line), with ~1% exact duplicates. The figure is rows read per second of
wall time for the whole run: detection, conversion, checks, dedup and writing included.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from pathlib import Path

import orjson

try:
    from agentic_pipeline.convert import Options, convert_inputs
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from agentic_pipeline.convert import Options, convert_inputs

TARGET = 50_000
WORDS = [
    "the",
    "a",
    "service",
    "request",
    "config",
    "file",
    "deploy",
    "cluster",
    "node",
    "error",
    "log",
    "user",
    "data",
    "table",
    "index",
    "query",
    "cache",
    "memory",
    "latency",
    "thread",
    "process",
    "build",
    "test",
    "package",
    "module",
    "function",
    "class",
    "value",
    "key",
    "token",
    "network",
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n)).capitalize() + "."


def _alpaca(rng: random.Random, i: int) -> dict:
    return {
        "instruction": f"How do I fix issue {i}? " + _text(rng, 12),
        "input": _text(rng, 10),
        "output": _text(rng, 60),
    }


def _dolly(rng: random.Random, i: int) -> dict:
    return {
        "instruction": f"Task {i}: " + _text(rng, 10),
        "context": _text(rng, 30),
        "response": _text(rng, 40),
        "category": "qa",
    }


def _qa(rng: random.Random, i: int) -> dict:
    return {"question": f"Question {i}: " + _text(rng, 12), "answer": _text(rng, 50)}


def _sharegpt(rng: random.Random, i: int) -> dict:
    call = orjson.dumps({"name": "search", "arguments": {"query": _text(rng, 3)}}).decode()
    return {
        "conversations": [
            {"from": "system", "value": "You are a helpful assistant."},
            {"from": "human", "value": f"Find {i}: " + _text(rng, 10)},
            {"from": "function_call", "value": call},
            {"from": "observation", "value": _text(rng, 20)},
            {"from": "gpt", "value": _text(rng, 30)},
        ]
    }


def _openai(rng: random.Random, i: int) -> dict:
    args = orjson.dumps({"command": f"grep -rn item{i} ."}).decode()
    return {
        "messages": [
            {"role": "user", "content": f"Where is item {i}? " + _text(rng, 8)},
            {
                "role": "assistant",
                "content": _text(rng, 8),
                "tool_calls": [
                    {"id": f"call_{i}", "type": "function", "function": {"name": "bash", "arguments": args}}
                ],
            },
            {"role": "tool", "tool_call_id": f"call_{i}", "content": _text(rng, 20)},
            {"role": "assistant", "content": _text(rng, 25)},
        ]
    }


def _hh(rng: random.Random, i: int) -> dict:
    prompt = f"\n\nHuman: Question {i}: {_text(rng, 12)}"
    return {
        "chosen": f"{prompt}\n\nAssistant: {_text(rng, 30)}",
        "rejected": f"{prompt}\n\nAssistant: {_text(rng, 20)}",
    }


MAKERS = {"alpaca": _alpaca, "dolly": _dolly, "qa": _qa, "sharegpt": _sharegpt, "openai": _openai, "hh": _hh}


def generate(folder: Path, size_mb: int, seed: int = 0) -> Path:
    """Write the input once per size; reuse it afterwards."""
    root = folder / f"input-{size_mb}mb"
    if (root / ".done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(seed)
    names = [*MAKERS, "mixed"]
    per_file = size_mb * (1 << 20) // len(names)
    for name in names:
        out = root / name / f"{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        written, i, previous = 0, 0, b""
        with out.open("wb") as f:
            while written < per_file:
                i += 1
                maker = MAKERS[rng.choice(list(MAKERS))] if name == "mixed" else MAKERS[name]
                line = previous if i % 100 == 0 and previous else orjson.dumps(maker(rng, i)) + b"\n"
                previous = line
                f.write(line)
                written += len(line)
    (root / ".done").touch()
    return root


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size-mb", type=int, default=1024, help="Size of the generated input (default 1 GB)."
    )
    parser.add_argument("--workers", type=int, default=None, help="Processes (default: all cores).")
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/agentic-convert-bench"), help="Where the input is kept."
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    root = generate(args.cache, args.size_mb)
    size = sum(p.stat().st_size for p in root.rglob("*.jsonl"))
    print(f"input: {root} ({size / 1e6:.0f} MB, ready in {time.perf_counter() - t0:.1f} s)")

    out = args.cache / "output" / "domain"
    shutil.rmtree(out.parent, ignore_errors=True)
    options = Options() if args.workers is None else Options(workers=args.workers)
    load = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    summary = convert_inputs([root], out, options)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0 + summary.total("worker_cpu_s")
    read = summary.total("read")
    rate = read / wall
    print(
        f"workers={options.workers}: read {read:,} rows, wrote {summary.total('written'):,}, "
        f"rejected {summary.total('rejected'):,}, duplicates {summary.total('duplicates'):,}"
    )
    print(
        f"{wall:.1f} s, {size / 1e6 / wall:.1f} MB/s, {rate:,.0f} records/s (target >= {TARGET:,}: "
        f"{'met' if rate >= TARGET else 'NOT met'}, {rate / TARGET:.2f}x)"
    )
    # The machine is shared: CPU seconds say what the code costs whatever else is running.
    cores = min(options.workers, os.cpu_count() or 1)
    print(
        f"CPU {cpu:.1f} s: {read / cpu:,.0f} records per CPU-second (x{cores} cores = {cores * read / cpu:,.0f}/s "
        f"with the cores to itself); load average before the run {load:.1f} on {os.cpu_count()} cores"
    )
    shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
