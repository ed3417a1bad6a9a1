"""Grounding of the oracle's trajectories: shipped tasks per family, and tasks mined from real repositories.

    python bench/grounding.py                                  # 12 per family, toolz + cachetools from PyPI
    python bench/grounding.py --per-family 25 --repos toolz==1.0.0 cachetools==8.0.2 more-itertools
    python bench/grounding.py --agentic /tmp/old-checkout/.venv/bin/agentic   # another version's oracle

For each source of tasks it runs the real runner with the offline oracle (`agentic generate
trajectories`, in a subprocess, so another checkout's oracle can be measured with ``--agentic``), then
this checkout's `agentic validate` on the result, and reports per family:

- grounding rate: records with no `grounding` finding / records (the target is >= 98%);
- verified rate: kept / (kept + rejected) episodes;
- mean steps (assistant turns) and the number of distinct step sequences (the tool names in order).

Real repositories come from the package index (`pip download --no-binary :all:`: the sdist, with its
tests), are mined with `agentic tasks mine` (coding and debugging) and solved the same way. The package
index is the one network access; nothing is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline import grounding
from agentic_pipeline.records import parse_record

AGENTIC = str(Path(sys.executable).with_name("agentic"))


def sh(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: fewer records than asked (the source ran out): still measured
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def fetch(spec: str, into: Path) -> tuple[Path, str]:
    """The sdist of ``spec`` (``name`` or ``name==version``) unpacked under ``into``, and the command
    that runs its tests from its root."""
    sh(
        sys.executable,
        "-m",
        "pip",
        "download",
        "-q",
        "--no-binary",
        ":all:",
        "--no-deps",
        spec,
        "-d",
        str(into),
    )
    name = spec.split("==")[0]
    archive = next(into.glob(f"{name.replace('-', '_')}-*.tar.gz"), None) or next(
        into.glob(f"{name}-*.tar.gz")
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    root = into / archive.name.removesuffix(".tar.gz")
    package = name.replace("-", "_")
    tests = "tests" if (root / "tests").is_dir() else f"{package}/tests"
    prefix = "PYTHONPATH=src " if (root / "src").is_dir() else ""
    return root, f"{prefix}python -m pytest -q -x -p no:cacheprovider {tests}"


def generate(agentic: str, out: Path, category: str, count: int, tasks: Path | None = None) -> None:
    args = [
        agentic,
        "generate",
        "trajectories",
        "--category",
        category,
        "--count",
        str(count),
        "--out",
        str(out),
    ]
    sh(*args, *(["--tasks", str(tasks)] if tasks else []), "--workers", "2")


def measure(data: Path) -> dict[str, dict]:
    """Per family: records, grounded share, verified rate, mean steps, distinct step sequences; and the
    ungrounded references by kind with a few examples (what `agentic validate` would report)."""
    rows: dict[str, dict] = {}
    kinds: Counter[str] = Counter()
    examples: list[str] = []
    for family_file in sorted((data / "trajectories").glob("*_tasks.jsonl")):
        family = family_file.name.removesuffix("_tasks.jsonl")
        records = [parse_record(json.loads(x)) for x in family_file.read_text().splitlines() if x.strip()]
        rejected = data / "rejected" / "trajectories" / f"{family}.jsonl"
        n_rejected = len(rejected.read_text().splitlines()) if rejected.exists() else 0
        steps = [sum(1 for m in r.messages if m.role == "assistant") for r in records]
        sequences = {tuple(c.function.name for m in r.messages for c in m.tool_calls or []) for r in records}
        ungrounded = 0
        for r in records:
            found = grounding.check(r) or []
            ungrounded += bool(found)
            kinds.update(f.kind for f in found)
            examples += [f"{r.metadata.task_id}: {f}" for f in found[:1]]
        rows[family] = {
            "records": len(records),
            "grounded": (len(records) - ungrounded) / max(1, len(records)),
            "verified": len(records) / max(1, len(records) + n_rejected),
            "mean_steps": sum(steps) / max(1, len(steps)),
            "distinct_sequences": len(sequences),
        }
    rows["_findings"] = {"by_kind": dict(kinds.most_common()), "examples": examples[:6]}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=12, help="Trajectories per family and source.")
    parser.add_argument(
        "--repos",
        nargs="*",
        default=["toolz==1.0.0", "cachetools==8.0.2"],  # versions whose suites pass here unmodified
        help="PyPI projects to mine (NAME or NAME==VERSION).",
    )
    parser.add_argument(
        "--agentic", default=AGENTIC, help="The `agentic` executable whose oracle is measured."
    )
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    results: dict[str, dict] = defaultdict(dict)
    with tempfile.TemporaryDirectory(prefix="bench-grounding-") as tmp:
        root = Path(tmp)
        shipped = root / "shipped"
        for family in ("coding", "debugging", "refactoring", "devops"):
            generate(args.agentic, shipped, family, args.per_family)
        results["shipped"] = measure(shipped)
        for spec in args.repos:
            name = spec.split("==")[0]
            repo, test_cmd = fetch(spec, root / "sdists" / name)
            tasks = root / f"{name}.tasks.jsonl"
            sh(args.agentic, "tasks", "mine", "--repo", str(repo), "--test-cmd", test_cmd, "--max", str(3 * args.per_family),
               "--out", str(tasks))  # fmt: skip
            for family in ("coding", "debugging"):
                generate(args.agentic, root / name, family, args.per_family, tasks)
            results[f"pypi:{name}"] = measure(root / name)
    print(f"oracle of {args.agentic}; {os.cpu_count()} cores")
    print(
        f"{'source':<18} {'family':<12} {'records':>7} {'grounded':>9} {'verified':>9} {'steps':>6} {'sequences':>9}"
    )
    for source, rows in results.items():
        for family, row in rows.items():
            if family.startswith("_"):
                continue
            print(f"{source:<18} {family:<12} {row['records']:>7.0f} {row['grounded']:>8.1%} {row['verified']:>8.1%} "
                  f"{row['mean_steps']:>6.1f} {row['distinct_sequences']:>9.0f}")  # fmt: skip
        found = rows.get("_findings") or {}
        if found.get("by_kind"):
            print(f"{'':<18} ungrounded references by kind: {found['by_kind']}")
            for example in found["examples"]:
                print(f"{'':<18}   {example[:150]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
