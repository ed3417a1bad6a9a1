"""The report on the 85K-record reference dataset: build time, page size, first render in Chromium.

    python bench/report_build.py                   # 85K records (the dataset of bench/validate_dataset.py)
    python bench/report_build.py --records 5000    # a quick run
    python bench/report_build.py --exact           # also with exact token counts (the tiny tokenizer)

Builds (or reuses, cached under the temp dir) the same reference dataset as bench/validate_dataset.py,
then times ``agentic report``'s build with estimated token counts (the default) and, with ``--exact``,
with every record rendered and tokenized. The page is then opened from disk in Debian's headless
chromium (tests/browser.py): time to the viewer's first list and record on screen (from the start of
navigation, the page's own ``performance.now()``), then the time to apply a filter and a search over
the records the page holds. Targets: build well under the validation's 2-3 minutes, a page of a few
MB, first render under 2 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "bench")]

from validate_dataset import FORMAT_VERSION  # noqa: E402
from validate_dataset import build as build_dataset  # noqa: E402

from agentic_pipeline.report import ReportOptions, build  # noqa: E402
from agentic_pipeline.tiny import load_tokenizer, tiny_tokenizer_dir  # noqa: E402


def render_times(page: Path) -> dict[str, float]:
    from browser import Browser, chromium_path

    if chromium_path() is None:
        return {}
    with Browser() as b:
        started = time.perf_counter()
        b.open(page)
        b.wait_for("window.reportReady", timeout=120)
        wall = time.perf_counter() - started
        ready_ms = b.evaluate("window.reportReady")
        filter_ms = b.evaluate(
            "(() => { const t = performance.now(); const s = document.getElementById('f-kind');"
            " s.value = 'trajectory'; s.dispatchEvent(new Event('change')); return performance.now() - t; })()"
        )
        search_ms = b.evaluate(
            "(() => { const t = performance.now(); const s = document.getElementById('f-search');"
            " s.value = 'pytest'; s.dispatchEvent(new Event('input')); return new Promise(r => setTimeout(() =>"
            " r(performance.now() - t - 150), 200)); })()"  # the search is debounced by 150 ms
        )
        open_ms = b.evaluate(
            "(() => { const t = performance.now(); document.querySelector('#list .rec-item').click();"
            " return performance.now() - t; })()"
        )
        errors = b.errors()
    return {"wall_s": wall, "ready_ms": ready_ms, "filter_ms": filter_ms, "search_ms": search_ms,
            "open_ms": open_ms, "errors": len(errors)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=85_000)
    parser.add_argument("--tokens", type=float, default=3000, help="Mean tokens per record (tiny tokenizer).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-records", type=int, default=2000, help="Records the viewer holds.")
    parser.add_argument("--exact", action="store_true", help="Also build with exact token counts.")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "agentic-bench-validate")
    args = parser.parse_args()

    tok = load_tokenizer(None)
    data_dir = args.cache / f"v{FORMAT_VERSION}-n{args.records}-t{int(args.tokens)}-s{args.seed}"
    if not data_dir.exists():
        started = time.perf_counter()
        build_dataset(data_dir, args.records, args.seed, args.tokens, tok)
        print(f"built {data_dir} in {time.perf_counter() - started:.0f} s")
    size = sum(p.stat().st_size for p in data_dir.rglob("*.jsonl"))
    out = Path(tempfile.mkdtemp(prefix="agentic-bench-report-"))
    runs = [("estimated tokens", None)] + (
        [("exact tokens", str(tiny_tokenizer_dir()))] if args.exact else []
    )
    for label, tokenizer in runs:
        page = out / f"report-{'exact' if tokenizer else 'estimated'}.html"
        options = ReportOptions(
            data_dir=data_dir, out=page, tokenizer=tokenizer, max_records=args.max_records
        )
        result = build(options)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label}: {result['records']:,} records ({size / 1e6:,.0f} MB of JSONL) -> {page} "
            f"{result['bytes'] / 1e6:.1f} MB, viewer holds {result['viewer_records']:,}; build "
            f"{result['seconds']:.1f} s ({result['records'] / result['seconds']:,.0f} records/s), "
            f"peak RSS {rss:,.0f} MB so far",
            flush=True,
        )
    times = render_times(page)
    if not times:
        print("chromium not installed: no render time")
        return
    print(
        f"chromium (headless, from disk): viewer ready {times['ready_ms']:.0f} ms after navigation "
        f"({times['wall_s']:.2f} s wall incl. the DevTools round trips); filter by kind {times['filter_ms']:.0f} ms, "
        f"search {times['search_ms']:.0f} ms, open a record {times['open_ms']:.0f} ms; console errors: {times['errors']}"
    )


if __name__ == "__main__":
    main()
