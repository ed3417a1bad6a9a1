"""Mine the shipped PyPI catalog on this machine, measure it, and check a sample with the oracle.

python bench/mine_catalog.py run --max 500 --out catalog.jsonl       # resumable: one sitting per call
python bench/mine_catalog.py report --out catalog.jsonl              # figures and the per-source table
python bench/mine_catalog.py oracle --out catalog.jsonl --sample 200 # oracle solves, verifier accepts?
python bench/mine_catalog.py reachable --out catalog.jsonl           # candidates of the mined packages

`run` calls `agentic tasks mine --catalog` (niced) and appends the sitting's start and end times and
the machine's load to `<out>.bench-<shard>.json`; `report` takes the union of all sittings' intervals
(shards run at once share the machine) and reads the per-package records in `<out>.sources/`.
CPU-hours are counted as wall-hours x the machine's cores: an upper bound on what mining used (the
box is shared), so tasks per CPU-hour is a lower bound. getrusage cannot give the real figure: the
sandbox's processes are reaped inside their pid namespace, not by this process. `oracle` draws a
seeded sample of the mined tasks
and runs `agentic generate trajectories` on each family's share with the offline oracle: every task
is tried once, and the verifier's verdict is counted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

AGENTIC = [sys.executable, "-m", "agentic_pipeline.cli"]


def run(args: argparse.Namespace) -> None:
    log = args.out.with_name(args.out.stem + f".bench-{args.shard.replace('/', 'of')}.json")
    sittings = json.loads(log.read_text()) if log.exists() else []
    start, started = time.monotonic(), time.strftime("%Y-%m-%d %H:%M")
    cmd = ["nice", "-n", "10", *AGENTIC, "tasks", "mine", "--catalog", "--max", str(args.max)]
    cmd += ["--workers", str(args.workers)]
    code = subprocess.call([*cmd, "--out", str(args.out), "--shard", args.shard])
    wall = time.monotonic() - start
    sittings.append(
        {"started": started, "t0": time.time() - wall, "t1": time.time(), "wall_s": wall,
         "load": os.getloadavg()[1], "exit": code, "max": args.max, "workers": args.workers}
    )  # fmt: skip
    log.write_text(json.dumps(sittings, indent=1))
    print(f"sitting: {sittings[-1]}")


def report(args: argparse.Namespace) -> None:
    sittings = [
        s
        for p in sorted(args.out.parent.glob(args.out.stem + ".bench*.json"))
        for s in json.loads(p.read_text())
    ]
    rows = [
        json.loads(p.read_text())
        for p in sorted(args.out.with_name(args.out.stem + ".sources").glob("*.json"))
    ]
    done = [r for r in rows if not r["error"]]
    tasks = sum(r["tasks"] for r in done)
    wall = _union(sorted((s["t0"], s["t1"]) for s in sittings))
    cpu = wall * os.cpu_count()
    families = Counter()
    for r in done:
        path = args.out.with_name(args.out.stem + ".sources") / f"{r['name']}.jsonl"
        families.update(json.loads(line)["family"] for line in path.read_text().splitlines())
    built = sum(r["built"] for r in done)
    tried = sum(r["tried"] for r in done)
    print(f"packages mined: {len(done)} of {len(rows)} tried ({len(rows) - len(done)} not minable)")
    print(f"tasks: {tasks} ({', '.join(f'{f} {n}' for f, n in families.most_common())})")
    print(f"wall: {wall / 3600:.2f} h over {len(sittings)} sittings; CPU (wall x cores): {cpu / 3600:.2f} h")
    if cpu:
        print(
            f"tasks per CPU-hour: >= {tasks / (cpu / 3600):.0f}; per wall-hour: {tasks / (wall / 3600):.0f}"
        )
    rate = tasks / tried if tried else 0
    print(f"candidates reachable (on covered lines): {built}; kept/tried so far {rate:.0%}")
    print(f"projected verified tasks if every candidate were checked: {built * rate:.0f}")
    print("\n| source | version | tasks | candidates | uncovered | tried | rejected | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["error"]:
            lines = [ln.strip() for ln in r["error"].splitlines()]
            picks = [ln for ln in lines[1:] if ln.startswith(("FAILED", "E ")) or "ModuleNotFoundError" in ln]
            why = (picks or lines)[0].removeprefix("E").strip()[:100]
            print(f"| {r['name']} | {r['version']} | not mined: {why} | | | | | |")
        else:
            cells = (r["tasks"], r["built"], r["uncovered"], r["tried"], r["rejected"], f"{r['seconds']:.0f}")
            print(f"| {r['name']} | {r['version']} | " + " | ".join(str(c) for c in cells) + " |")


def reachable(args: argparse.Namespace) -> None:
    """Candidates the current code builds on covered lines, for every mined package (the coverage maps
    and environments are remembered: nothing runs in the sandbox)."""
    import asyncio

    from agentic_pipeline.tasks.mine import plan
    from agentic_pipeline.tasks.mine_pypi import prepare
    from agentic_pipeline.tasks.pypi import load_catalog

    total = 0
    for pkg in load_catalog():
        rec = args.out.with_name(args.out.stem + ".sources") / f"{pkg.name}.json"
        if not rec.is_file() or json.loads(rec.read_text())["error"]:
            continue
        src, report = prepare(pkg)
        asyncio.run(plan(src, ("debugging", "coding"), "bwrap", report))
        total += report.built
        print(
            f"{pkg.name}: {report.built} candidates on covered lines ({report.uncovered} left out)",
            flush=True,
        )
    print(f"reachable: {total}")


def _union(intervals: list[tuple[float, float]]) -> float:
    """Seconds covered by at least one interval (sorted by start)."""
    total, end = 0.0, float("-inf")
    for a, b in intervals:
        total += max(0.0, b - max(a, end))
        end = max(end, b)
    return total


def oracle(args: argparse.Namespace) -> None:
    lines = [line for line in args.out.read_text().splitlines() if line.strip()]
    sample = random.Random(args.seed).sample(lines, min(args.sample, len(lines)))
    by_family = Counter(json.loads(line)["family"] for line in sample)
    verified = rejected = 0
    with tempfile.TemporaryDirectory(prefix="bench-oracle-") as tmp:
        tasks = Path(tmp) / "sample.jsonl"
        tasks.write_text("\n".join(sample) + "\n")
        for family, n in sorted(by_family.items()):
            if args.family and family not in args.family:
                continue
            done = subprocess.run(
                [*AGENTIC, "generate", "trajectories", "--tasks", str(tasks), "--category", family, "--count",
                 str(n), "--split", "all", "--out", str(Path(tmp) / "data"), "--workers", "2"],
                capture_output=True, text=True,
            )  # fmt: skip
            said = " ".join((done.stdout + done.stderr).split())  # the summary goes to stderr
            found = re.search(rf"{family}: (\d+)/\d+ kept .*?, (\d+) rejected", said)
            if not found:
                print(done.stdout[-2000:], done.stderr[-2000:])
                raise SystemExit(f"{family}: no summary line (exit {done.returncode})")
            k, r = int(found.group(1)), int(found.group(2))
            print(f"{family}: {k} verified, {r} rejected of {n} sampled")
            verified, rejected = verified + k, rejected + r
    tried = verified + rejected
    print(f"oracle + verifier: {verified} of {tried} tried verified ({verified / max(1, tried):.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("run", "report", "oracle", "reachable"):
        p = sub.add_parser(name)
        p.add_argument("--out", type=Path, default=Path("catalog.jsonl"))
        if name == "run":
            p.add_argument("--max", type=int, default=500)
            p.add_argument("--shard", default="0/1", help="i/N: run N of these at once, one per i")
            p.add_argument("--workers", type=int, default=2, help="checks at once, per shard")
        if name == "oracle":
            p.add_argument("--sample", type=int, default=200)
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--family", action="append", help="only these families of the sample")
    args = parser.parse_args()
    {"run": run, "report": report, "oracle": oracle, "reachable": reachable}[args.what](args)


if __name__ == "__main__":
    main()
