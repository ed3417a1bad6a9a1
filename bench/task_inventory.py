"""Distinct verified tasks available per source and family (target: >= 2,000 across the shipped
projects and the standard library).

    python bench/task_inventory.py                  # check every candidate (cached: slow only once)
    python bench/task_inventory.py --concurrency 4

Every candidate is checked for real in the sandbox (its source's tests pass on the pristine code,
and the task's verifier fails on the starting workspace: a mutant the tests kill, a stub its tests
catch, a broken script...). Answers are cached by content hash under ``$AGENTIC_CACHE_DIR``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.tasks.base import FAMILIES
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.sources import all_sources
from agentic_pipeline.tasks.validity import source_passes, task_is_valid

TARGET = 2_000


async def main(concurrency: int) -> None:
    sources = [s for s in all_sources() if await source_passes(s)]
    pool = [t for f in FAMILIES for t in candidates(f, sources)]
    sem = asyncio.Semaphore(concurrency)
    done = 0
    start = time.monotonic()

    async def check(task) -> bool:
        nonlocal done
        async with sem:
            ok = await task_is_valid(task)
        done += 1
        if done % 200 == 0:
            print(f"  checked {done}/{len(pool)} ({time.monotonic() - start:.0f} s)", file=sys.stderr)
        return ok

    results = await asyncio.gather(*(check(t) for t in pool))
    cand, ok = Counter(), Counter()
    for task, valid in zip(pool, results, strict=True):
        key = (task.source.split(":")[0], task.family)
        cand[key] += 1
        ok[key] += valid
    print(f"{'source':<10} {'family':<12} {'candidates':>10} {'verified':>9}")
    for key in sorted(cand):
        print(f"{key[0]:<10} {key[1]:<12} {cand[key]:>10} {ok[key]:>9}")
    shipped = sum(v for (kind, _), v in ok.items() if kind in ("project", "stdlib"))
    print(
        f"total: {sum(cand.values())} candidates, {sum(ok.values())} verified tasks "
        f"({len(sources)} sources, {time.monotonic() - start:.0f} s)"
    )
    print(
        f"shipped projects + stdlib: {shipped} verified (target >= {TARGET}: {'met' if shipped >= TARGET else 'NOT met'})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=2, help="Sandboxes checked at once.")
    asyncio.run(main(parser.parse_args().concurrency))
