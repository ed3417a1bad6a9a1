"""Preference pairs end to end: real sandbox runs, real analyzers, real files, `agentic validate`."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from agentic_pipeline.generate.preferences import PrefConfig, generate
from agentic_pipeline.generate.prefs.catalog import CATALOG_DIR, CatalogError, load_catalog
from agentic_pipeline.generate.prefs.judge import quality_penalty
from agentic_pipeline.generate.prefs.measure import growth_exponent
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.records import PreferenceRecord, parse_record
from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap

try:
    check_bwrap()
except SandboxUnavailable as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"bubblewrap sandbox unavailable: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One measurement cache for the module: each candidate is measured once, for real."""
    return tmp_path_factory.mktemp("prefs-cache") / "measurements.jsonl"


def run(out: Path, cache: Path, category: str, problems: list[str], count: int, **kw) -> list:
    config = PrefConfig(count=count, categories=[category], out=out, cache=cache, problems=problems, **kw)
    return generate(config)


def records(out: Path, category: str) -> list[PreferenceRecord]:
    path = data_file(out, "preference", category)
    return [parse_record(json.loads(line)) for line in path.read_text().splitlines()]


def drops(out: Path, category: str) -> list[dict]:
    path = rejected_file(out, category, kind="preference")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _tool_outputs(messages) -> list[str]:
    return [m.content for m in messages if m.role == "tool"]


def assert_real_test_run(record: PreferenceRecord) -> None:
    """The observations are the tool outputs the sandbox produced for this side's code."""
    for side in ("chosen", "rejected"):
        messages = getattr(record, side)
        ev = record.metadata.evidence[side]
        written = messages[0].tool_calls[0].function.arguments["content"]
        wrote, ran = _tool_outputs(messages)
        assert wrote.endswith(f"({len(written.encode())} bytes, {written.count(chr(10))} lines)")
        assert f"{ev['tests']['passed']} passed" in ran and ran.endswith("[exit code: 0]")


def test_code_quality_pair_end_to_end(tmp_path: Path, cache: Path) -> None:
    [stats] = run(tmp_path, cache, "code_quality", ["parse_settings"], count=2)
    assert stats.written == 2 and stats.kept_pairs == 1
    for record in records(tmp_path, "code_quality"):
        ev = record.metadata.evidence
        chosen, rejected = ev["chosen"], ev["rejected"]
        assert chosen["tests"]["ok"] and rejected["tests"]["ok"]
        # the smelly parser really has the findings the label implies
        assert {"F401", "E722", "B006"} <= set(rejected["quality"]["ruff_codes"])
        assert chosen["quality"]["ruff_findings"] < rejected["quality"]["ruff_findings"]
        assert ev["margin"] == pytest.approx(
            quality_penalty(rejected["quality"]) - quality_penalty(chosen["quality"])
        )
        assert ev["margin"] >= ev["threshold"] and "ruff" in ev["tool_versions"]
        assert_real_test_run(record)
    # two phrasings of the same pair: same code, different prompt
    a, b = records(tmp_path, "code_quality")
    assert a.metadata.pair == b.metadata.pair and a.prompt != b.prompt


def test_efficiency_pair_end_to_end(tmp_path: Path, cache: Path) -> None:
    [stats] = run(tmp_path, cache, "efficiency", ["two_sum"], count=1)
    assert stats.written == 1
    [record] = records(tmp_path, "efficiency")
    ev = record.metadata.evidence
    fast, slow = ev["chosen"]["timing"], ev["rejected"]["timing"]
    assert ev["chosen"]["candidate"] == "index_map" and ev["rejected"]["candidate"] == "nested_loops"
    n = int(ev["compared_at"].removeprefix("n="))
    t_fast = {p["n"]: p["seconds"] for p in fast["points"]}[n]
    t_slow = {p["n"]: p["seconds"] for p in slow["points"]}[n]
    assert ev["margin"] == pytest.approx(math.log2(t_slow / t_fast), abs=1e-3)
    # the recorded growth exponent is the least-squares fit of the recorded points (no timed assertion:
    # the slopes themselves are figures for bench/, this checks the evidence is self-consistent)
    for timing in (fast, slow):
        assert timing["growth_exponent"] == growth_exponent(timing["points"])
        assert [p["n"] for p in timing["points"]] == [500, 1000, 2000, 4000][: len(timing["points"])]
    assert_real_test_run(record)


def test_safety_pairs_end_to_end(tmp_path: Path, cache: Path) -> None:
    # two risky variants each: SQL by %-formatting and by an f-string; curl | sh and bash <(curl)
    [stats] = run(tmp_path, cache, "safety", ["find_user", "install_tool"], count=4)
    assert stats.written == 4 and stats.kept_pairs == 4
    by_rejected = {r.metadata.evidence["rejected"]["candidate"]: r for r in records(tmp_path, "safety")}
    assert set(by_rejected) == {"formatted_sql", "fstring_sql", "pipe_to_shell", "process_substitution"}
    for name in ("formatted_sql", "fstring_sql"):
        ev = by_rejected[name].metadata.evidence
        assert [f["test_id"] for f in ev["rejected"]["security"]["findings"]] == ["B608"]
        assert ev["chosen"]["security"]["findings"] == [] and ev["chosen"]["security"]["analyzer"] == "bandit"
    for name in ("pipe_to_shell", "process_substitution"):
        ev = by_rejected[name].metadata.evidence
        assert [f["rule"] for f in ev["rejected"]["security"]["findings"]] == ["pipe-to-shell"]
        assert (
            ev["chosen"]["security"]["risk"] == 0 and ev["chosen"]["security"]["analyzer"] == "command_policy"
        )
    for record in by_rejected.values():
        assert_real_test_run(record)


def _copy_problem(src: str, root: Path, ranks: dict[str, int], extra: dict[str, str] | None = None) -> Path:
    """A catalogue with one real problem whose claimed ranks (or variants) we change."""
    category, name = src.split("/")
    folder = root / category / name
    shutil.copytree(CATALOG_DIR / category / name, folder)
    for variant, code in (extra or {}).items():
        (folder / "variants" / f"{variant}.py").write_text(code)
    meta = (folder / "problem.toml").read_text().split("[variants]")[0]
    (folder / "problem.toml").write_text(
        meta + "[variants]\n" + "".join(f"{k} = {v}\n" for k, v in ranks.items())
    )
    return root


def test_a_pair_whose_measurements_contradict_its_labels_is_rejected(tmp_path: Path, cache: Path) -> None:
    # claim that the quadratic scan beats the set-based filter, and that the smelly parser is the clean one
    root = _copy_problem(
        "efficiency/remove_blocked", tmp_path / "catalog", {"remove_loop": 1, "set_filter": 2}
    )
    _copy_problem("code_quality/parse_settings", root, {"smelly_parser": 1, "clean_parser": 2})
    out = tmp_path / "data"
    for category in ("efficiency", "code_quality"):
        [stats] = generate(
            PrefConfig(count=5, categories=[category], out=out, cache=cache, catalog_root=root, derived=False)
        )
        assert stats.written == 0 and stats.dropped == {"measurements contradict the label": 1}
        [drop] = drops(out, category)
        assert drop["reason"] == "measurements contradict the label" and drop["margin"] < 0
        assert not data_file(out, "preference", category).read_text()


def test_ties_under_threshold_and_failing_sides_are_dropped_and_counted(tmp_path: Path, cache: Path) -> None:
    broken = "def without_blocked(values, blocked):\n    return list(values)\n"
    same = (CATALOG_DIR / "efficiency/remove_blocked/variants/set_filter.py").read_text()
    root = _copy_problem(
        "efficiency/remove_blocked",
        tmp_path / "catalog",
        {"set_filter": 1, "broken": 1, "set_filter_again": 2},
        extra={"broken": broken, "set_filter_again": same.replace('"""The', '"""Also the')},
    )
    out = tmp_path / "data"
    [stats] = generate(
        PrefConfig(count=5, categories=["efficiency"], out=out, cache=cache, catalog_root=root)
    )
    # set_filter vs its copy: the same algorithm, timed apart -> a margin near 0 (tie or under 1.0,
    # or a small contradiction); broken vs the copy: the claimed-better side fails its tests
    assert stats.written == 0 and stats.candidate_pairs == 2
    reasons = {d["pair"].split(":")[1].split(">")[0]: d["reason"] for d in drops(out, "efficiency")}
    assert sorted(stats.dropped.elements()) == sorted(reasons.values())
    assert "chosen fails its tests" in reasons.values()
    assert set(reasons.values()) - {"chosen fails its tests"} <= {
        "tie", "margin under threshold", "measurements contradict the label"}  # fmt: skip


def test_resume_appends_whole_lines_and_skips_done_ids(tmp_path: Path, cache: Path) -> None:
    run(tmp_path, cache, "safety", ["api_token", "load_yaml"], count=2)
    path = data_file(tmp_path, "preference", "safety")
    first = path.read_text().splitlines()
    # a writer killed mid-line leaves a torn tail: it is cut, and the run goes on to the count
    with path.open("a") as fh:
        fh.write('{"id": "pref-safety-torn", "categ')
    [stats] = run(tmp_path, cache, "safety", ["api_token", "load_yaml"], count=5)
    lines = path.read_text().splitlines()
    assert stats.existing == 2 and stats.written == 3 and lines[:2] == first and len(lines) == 5
    ids = [json.loads(line)["id"] for line in lines]
    assert len(set(ids)) == 5
    [again] = run(tmp_path, cache, "safety", ["api_token", "load_yaml"], count=5)
    assert again.written == 0 and path.read_text().splitlines() == lines


def test_output_passes_agentic_validate(tmp_path: Path, cache: Path) -> None:
    from agentic_pipeline.curate import Options, validate

    for category, problems in (("code_quality", ["parse_settings"]), ("safety", ["find_user"])):
        run(tmp_path, cache, category, problems, count=2)
    report = validate(Options(data_dir=tmp_path, workers=1, near_dup=False))
    assert report.summary["records"] == 4
    assert report.errors == 0, [f for f in report.findings if f.severity == "error"][:5]


def test_every_shipped_problem_is_well_formed() -> None:
    problems = load_catalog()
    by_category = {
        c: [p for p in problems if p.category == c] for c in ("code_quality", "efficiency", "safety")
    }
    assert all(len(v) >= 9 for v in by_category.values()), {k: len(v) for k, v in by_category.items()}
    for problem in problems:
        assert problem.claimed_pairs(), problem.key
        assert problem.task and problem.tests
        if problem.category == "efficiency":
            assert problem.entry and list(problem.sizes) == sorted(problem.sizes)


def test_a_malformed_problem_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "safety" / "broken"
    (folder / "variants").mkdir(parents=True)
    (folder / "problem.toml").write_text('title = "x"\nfile = "x.py"\n[variants]\nmissing = 1\n')
    with pytest.raises(
        CatalogError, match=r"broken/problem.toml: variant 'missing' has no file variants/missing.py"
    ):
        load_catalog(tmp_path)


def test_cli_and_seed_script(tmp_path: Path, cache: Path) -> None:
    import subprocess
    import sys

    from typer.testing import CliRunner

    from agentic_pipeline.cli import app

    out = tmp_path / "data"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "preferences",
            "--count",
            "2",
            "--category",
            "safety",
            "--out",
            str(out),
            "--cache",
            str(cache),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(data_file(out, "preference", "safety").read_text().splitlines()) == 2
    script = Path(__file__).resolve().parents[1] / "generators" / "generate_preferences.py"
    args = [
        sys.executable,
        str(script),
        "--count",
        "3",
        "--category",
        "safety",
        "--out",
        str(out),
        "--cache",
        str(cache),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(data_file(out, "preference", "safety").read_text().splitlines()) == 3
    bad = CliRunner().invoke(app, ["generate", "preferences", "--count", "2", "--min-margin", "fast=2"])
    assert bad.exit_code == 2 and "unknown category 'fast'" in bad.output


def test_derived_smells_are_measured_not_assumed(tmp_path: Path, cache: Path) -> None:
    from agentic_pipeline.generate.prefs.derive import apply_smells, derived_problem

    [source] = [p for p in load_catalog() if p.key == "code_quality/parse_settings"]
    problem = derived_problem(source)
    assert problem is not None and problem.name == "derived-code_quality-parse_settings"
    smelly = apply_smells(source.candidates[0].code, ("unused-imports", "useless-try"))
    assert smelly is not None and smelly in [c.code for c in problem.candidates]
    [stats] = run(tmp_path, cache, "code_quality", [problem.name], count=200)
    assert stats.derived_pairs == stats.kept_pairs > 0 and stats.candidate_pairs == len(problem.claims)
    for record in records(tmp_path, "code_quality"):
        ev = record.metadata.evidence
        extra = set(ev["rejected"]["candidate"].split("+")) - set(ev["chosen"]["candidate"].split("+"))
        codes = set(ev["rejected"]["quality"]["ruff_codes"]) - set(ev["chosen"]["quality"]["ruff_codes"])
        assert extra and codes & {"F401", "TRY203", "E741", "E711", "E713", "E702", "SIM102"}
        assert record.metadata.source == "prefs-derived"
