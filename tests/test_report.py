"""``agentic report``: the page is built from real generated data and works in a real headless Chromium.

The data is made once per module through the real CLI: debugging trajectories from the oracle in the
bubblewrap sandbox with a step limit that makes some episodes fail (so ``rejected/`` holds real
failures), preference pairs with measured evidence, and ``agentic validate``'s report. The page is
then opened from disk in Debian's chromium (``tests/browser.py``, the DevTools protocol), which the
browser test needs; it is skipped, saying so, only where chromium is not installed.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import pytest
from browser import Browser, chromium_path
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.report.collect import Row
from agentic_pipeline.report.viewer import select


def _cli(*args: str, ok: tuple[int, ...] = (0,)) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in ok, (
        f"agentic {' '.join(args)}: exit {result.exit_code}\n{result.output[-3000:]}"
    )
    return result.output


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _payload(html: str) -> list[dict]:
    b64 = re.search(r'<script type="text/plain" id="records">([^<]*)</script>', html).group(1)
    return json.loads(gzip.decompress(base64.b64decode(b64)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report")
    data = root / "data"
    _cli("generate", "trajectories", "--count", "2", "--category", "debugging", "--max-steps", "4",
         "--max-episodes", "6", "--out", str(data), "--workers", "2", ok=(0, 3))  # fmt: skip
    # The step limit stops most episodes: kept ones need a second, unlimited run.
    _cli("generate", "trajectories", "--count", "1", "--category", "debugging", "--max-episodes", "3",
         "--out", str(data), "--workers", "2", ok=(0, 3))  # fmt: skip
    _cli("generate", "preferences", "--count", "3", "--category", "all", "--out", str(data))
    _cli(
        "validate",
        "--data-dir",
        str(data),
        "--workers",
        "1",
        "--report",
        str(root / "validation.json"),
        ok=(0, 1),
    )
    page = root / "report.html"
    _cli("report", "--data-dir", str(data), "--out", str(page))
    return {"root": root, "data": data, "page": page}


def test_the_page_counts_every_record_with_rejections_and_findings(built) -> None:
    data, html = built["data"], built["page"].read_text()
    kept = _records(data / "trajectories" / "debugging_tasks.jsonl")
    rejected = _records(data / "rejected" / "trajectories" / "debugging.jsonl")
    pairs = sum(len(_records(p)) for p in (data / "preferences").glob("*.jsonl"))
    assert kept and rejected, "the step limit should have made both kept and rejected episodes"
    total = len(kept) + len(rejected) + pairs
    assert f"{total} records ({len(kept) + pairs} kept, {len(rejected)} rejected)" in html
    statuses = {r["outcome"]["exit_status"] for r in rejected}
    for status in statuses:
        assert status in html  # the reason table names why each rejected episode failed
    assert "Tokens are approximate" in html and "<svg" in html
    assert "Token lengths per kind" in html and "Preference margins per category" in html
    assert not re.search(r"""(src|href)=["']?https?:|url\(["']?https?:|@import""", html)  # opens offline
    entries = _payload(html)
    assert len(entries) == total  # a small folder is held whole
    findings = json.loads((built["root"] / "validation.json").read_text())["findings"]
    on_records = {(f["file"], f["line"]) for f in findings}
    assert {(e["file"], e["line"]) for e in entries if e["findings"]} == on_records
    first = next(e for e in entries if e["status"] == "rejected")
    assert first["reason"] == first["r"]["outcome"]["exit_status"] or "failed" in first["reason"]


def test_the_viewer_in_headless_chromium_lists_filters_and_opens_a_trajectory(built) -> None:
    if chromium_path() is None:
        pytest.skip(
            "chromium is not installed (scripts/install.sh installs Debian's chromium; apt-get failed here)"
        )
    shot = built["root"] / "report.png"
    with Browser(width=1400, height=1000) as page:
        page.open(built["page"])
        page.wait_for("window.reportReady")
        listed = page.evaluate("document.querySelectorAll('#list .rec-item').length")
        assert listed >= 5
        page.evaluate(
            "(() => { const s = document.getElementById('f-status'); s.value = 'rejected';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        statuses = page.evaluate(
            "[...document.querySelectorAll('#list .rec-item')].map(e => e.dataset.status)"
        )
        assert 0 < len(statuses) < listed and set(statuses) == {"rejected"}
        page.evaluate("document.querySelector('#list .rec-item').click()")
        detail = page.evaluate("document.getElementById('detail').innerText")
        # Not verified at the limit, or verified but stopped before the agent's final answer.
        assert "step_limit" in detail and ("not verified" in detail or "final answer" in detail)
        calls = page.evaluate("[...document.querySelectorAll('#detail .tool-call')].map(e => e.innerText)")
        assert any("bash" in c and "command" in c for c in calls)
        observations = page.evaluate(
            "[...document.querySelectorAll('#detail .msg.tool')].map(e => e.textContent)"
        )
        assert observations and any("exit code" in o for o in observations)
        page.evaluate(
            "(() => { for (const [id, v] of [['f-status', ''], ['f-kind', 'preference']]) {"
            " const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change')); } })()"
        )
        page.evaluate("document.querySelector('#list .rec-item').click()")
        sides = page.evaluate(
            "[...document.querySelectorAll('#detail .pair > div')].map(d => d.querySelectorAll('.msg').length)"
        )
        assert len(sides) == 2 and all(sides)  # chosen and rejected side by side
        assert "margin" in page.evaluate("document.querySelector('#detail .evidence').innerText")
        page.evaluate("document.getElementById('f-search').value = 'no such text anywhere 1b2c';"
                      "document.getElementById('f-search').dispatchEvent(new Event('input'))")  # fmt: skip
        page.wait_for("document.querySelectorAll('#list .rec-item').length === 0", timeout=5)
        page.evaluate("document.getElementById('viewer').scrollIntoView()")
        page.screenshot(shot)
        assert page.errors() == []
    assert shot.stat().st_size > 10_000


def test_costs_come_from_the_ledger_and_a_large_folder_is_sampled(built, tmp_path: Path) -> None:
    with Ledger(built["data"]) as ledger:  # the run folder of a paid `generate`: the data folder
        ledger.record("claude-sonnet-4-5", Usage(1, 12_000, 800), episode_id="pref:abc")
        usd = ledger.total_usd()
    page = tmp_path / "r.html"
    _cli("report", "--data-dir", str(built["data"]), "--out", str(page), "--max-records", "4")
    html = page.read_text()
    assert "claude-sonnet-4-5" in html and f"{usd:,.2f}" in html and "preferences" in html
    assert "holds <b>4 of the" in html and len(_payload(html)) == 4

    rows = [Row(f"f{k}.jsonl", i, 0, k, "c", f"{k}{i}", "s", "t", rejected=i % 50 == 0)
            for k in ("a", "b") for i in range(1, 1001)]  # fmt: skip
    picked = select(rows, 100, seed=0)
    assert len(picked) == 100 and picked == select(rows, 100, seed=0)
    assert {rows[i].kind for i in picked} == {"a", "b"}
    assert sum(rows[i].rejected for i in picked) == 25  # flagged first, up to a quarter


def test_eval_resolve_rates_join_the_page(built, tmp_path: Path) -> None:
    """An eval folder as `agentic eval` writes it: results rows (here the fixture's real episodes, kept and
    rejected, as the oracle's) summarized by the eval's own code."""
    from agentic_pipeline.generate.evaluate import summarize

    data, eval_dir = built["data"], tmp_path / "eval"
    episodes = _records(data / "trajectories" / "debugging_tasks.jsonl")
    episodes += _records(data / "rejected" / "trajectories" / "debugging.jsonl")
    rows = [
        {"model": "oracle", "task": r["metadata"]["task_id"], "family": r["category"], "source": r["metadata"]["source"],
         "sample": 0, "verified": r["outcome"]["verified"], "exit_status": r["outcome"]["exit_status"],
         "steps": r["metadata"]["steps"], "tool_call_turns": r["metadata"]["steps"], "format_errors": 0, "tokens": 0,
         "seconds": r["metadata"]["duration_s"], "record": r["id"]}
        for r in episodes
    ]  # fmt: skip
    eval_dir.mkdir()
    (eval_dir / "results.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    rate = summarize(eval_dir, ["oracle"])["models"]["oracle"]["all"]["resolve_rate"]
    page = tmp_path / "r.html"
    _cli("report", "--data-dir", str(data), "--eval", str(eval_dir), "--out", str(page))
    html = page.read_text()
    assert "Evaluation on held-out tasks" in html and "Eval resolve rates" in html and f"{rate:.1%}" in html


def test_bad_inputs_are_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--data-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "not a folder" in " ".join(result.output.split())
    (tmp_path / "validation.json").write_text("{broken")
    result = CliRunner().invoke(
        app, ["report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r.html")]
    )
    said = " ".join(result.output.split())
    assert (
        result.exit_code == 2
        and "validation.json:1" in said
        and "not a validation report" in said
        and "Traceback" not in said
    )


def test_with_the_tokenizer_the_counts_are_validates_and_the_loss_spans_are_shown(
    built, tmp_path: Path
) -> None:
    from agentic_pipeline.tiny import load_tokenizer, tiny_tokenizer_dir

    load_tokenizer(None)  # built on first use
    page = tmp_path / "r.html"
    _cli(
        "report",
        "--data-dir",
        str(built["data"]),
        "--tokenizer",
        str(tiny_tokenizer_dir()),
        "--out",
        str(page),
    )
    html = page.read_text()
    assert "Tokens are exact" in html
    entries = _payload(html)
    summary = json.loads((built["root"] / "validation.json").read_text())["summary"]
    for category, stats in summary["balance"]["preference"]["categories"].items():
        mine = [e["tokens"] for e in entries if e["category"] == category and e["status"] == "kept"]
        assert max(mine) == stats["tokens"]["max"]  # the same count as `agentic validate` (the longer side)
    kept = next(e for e in entries if e["kind"] == "trajectory" and e["status"] == "kept")
    assert 0 < kept["trainable"] < kept["tokens"]
    loss = kept["loss"]
    trained = [loss["text"][a:b] for a, b in loss["spans"]]
    assert trained and all("<|im_start|>user" not in t and "<|im_start|>system" not in t for t in trained)
    thoughts = [m["content"] for m in kept["r"]["messages"] if m["role"] == "assistant" and m.get("content")]
    assert any(thoughts[0] in t for t in trained)
