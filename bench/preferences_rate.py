"""Preference pairs offline: pairs per minute per category, share of candidate pairs kept, margins.

    python bench/preferences_rate.py                 # 300 pairs per category, cold measurement cache
    python bench/preferences_rate.py --count 1000 --plot docs/preferences_margins.png

Per category, two figures on this machine:
1. end to end, cold: a fresh measurement cache, `generate` writes --count pairs (measuring in the
   sandbox only the problems it reaches), wall time -> pairs per minute;
2. every candidate pair of the catalogue judged (all problems measured, cache now warm for the
   ones step 1 reached): how many were kept, the reasons the others were dropped, and the
   distribution of margins (a text histogram; a PNG with --plot).
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from agentic_pipeline.generate.preferences import PrefConfig, generate, judge_all
from agentic_pipeline.generate.prefs.judge import DEFAULT_MIN_MARGIN
from agentic_pipeline.records import PREFERENCE_CATEGORIES


def histogram(values: list[float], bins: int = 10, width: int = 40) -> list[str]:
    if not values:
        return ["(no margins)"]
    lo, hi = min(values), max(values)
    step = (hi - lo) / bins or 1.0
    counts = Counter(min(int((v - lo) / step), bins - 1) for v in values)
    top = max(counts.values())
    return [f"  [{lo + i * step:7.2f}, {lo + (i + 1) * step:7.2f})  {counts.get(i, 0):5d} "
            f"{'#' * math.ceil(width * counts.get(i, 0) / top)}" for i in range(bins)]  # fmt: skip


def plot(margins: dict[str, list[float]], thresholds: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(margins), figsize=(4.2 * len(margins), 3.2), squeeze=False)
    for ax, (category, values) in zip(axes[0], margins.items(), strict=True):
        ax.hist(values, bins=20, color="#4477aa")
        ax.axvline(thresholds[category], color="#cc3311", linestyle="--", label="threshold")
        ax.set_title(f"{category} ({len(values)} pairs)")
        ax.set_xlabel(
            {"efficiency": "log2 speed-up", "safety": "risk difference"}.get(category, "penalty difference")
        )
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="Pairs written per category in step 1.")
    parser.add_argument("--workers", type=int, default=2, help="Candidates measured at once.")
    parser.add_argument("--categories", default=",".join(PREFERENCE_CATEGORIES), help="Comma-separated.")
    parser.add_argument(
        "--plot", type=Path, default=None, help="Save a PNG of the margin distributions here."
    )
    args = parser.parse_args()
    categories = args.categories.split(",")
    margins: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-prefs-") as tmp:
        cache = Path(tmp) / "measurements.jsonl"  # fresh: step 1 pays for every measurement it needs
        print(
            f"{'category':<13} {'pairs':>6} {'seconds':>8} {'pairs/min':>10} {'distinct':>9} {'problems':>9}"
        )
        for category in categories:
            config = PrefConfig(count=args.count, categories=[category], out=Path(tmp) / "data",
                                cache=cache, workers=args.workers, trajectories=False)  # fmt: skip
            start = time.perf_counter()
            [stats] = generate(config)
            seconds = time.perf_counter() - start
            print(f"{category:<13} {stats.written:>6} {seconds:>8.1f} {60 * stats.written / seconds:>10.0f} "
                  f"{stats.kept_pairs:>9} {stats.problems_measured:>9}")  # fmt: skip
        print()
        for category in categories:
            config = PrefConfig(
                count=0, categories=[category], out=Path(tmp) / "data", cache=cache, workers=args.workers
            )
            start = time.perf_counter()
            verdicts = judge_all(config, category)
            seconds = time.perf_counter() - start
            kept = [v for v in verdicts if v.kept]
            reasons = Counter(v.reason for v in verdicts if not v.kept)
            margins[category] = [v.margin for v in verdicts if v.margin is not None]
            median = statistics.median(margins[category]) if margins[category] else float("nan")
            print(f"{category}: {len(kept)} of {len(verdicts)} candidate pairs kept "
                  f"({100 * len(kept) / max(1, len(verdicts)):.0f}%), threshold {DEFAULT_MIN_MARGIN[category]}, "
                  f"median margin {median:.2f}; judged in {seconds:.0f} s (rest of the catalogue measured)")  # fmt: skip
            for reason, n in reasons.most_common():
                print(f"  dropped: {reason}: {n}")
            print("\n".join(histogram(margins[category])))
    if args.plot:
        plot(margins, DEFAULT_MIN_MARGIN, args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
