"""``agentic validate`` quality checks: duplicate prompts across files and formats, degenerate
repetition in a turn, tools defined and never called (agentic_pipeline/curate/quality.py)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_helpers import example, run, write_records

from agentic_pipeline.cli import app
from agentic_pipeline.curate import pipeline, quality

QUESTIONS = [
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
    "How many clips did Natalia sell altogether in April and May?",
    "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. "
    "How much did she earn?",
    "Betty is saving money for a new wallet which costs $100. Betty has only half of the money she "
    "needs. Her parents decided to give her $15 for that purpose, and her grandparents twice as much "
    "as her parents. How much more money does Betty need to buy the wallet?",
    "Julie is reading a 120-page book. Yesterday, she was able to read 12 pages and today, she read "
    "twice as many pages as yesterday. If she wants to read half of the remaining pages tomorrow, how "
    "many pages should she read?",
    "James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?",
    "Mark has a garden with flowers. He planted plants of three different colors in it. Ten of them "
    "are yellow, and there are 80% more of those in purple. There are only 25% as many green flowers "
    "as there are yellow and purple flowers. How many flowers does Mark have in his garden?",
    "Albert is wondering how much pizza he can eat in one day. He buys 2 large pizzas and 2 small "
    "pizzas. A large pizza has 16 slices and a small pizza has 8 slices. If he eats it all, how many "
    "pieces does he eat that day?",
    "Ken created a care package to send to his brother, who was away at boarding school. Ken placed a "
    "box on a scale, and then he poured into the box enough jelly beans to bring the weight to 2 "
    "pounds. What was the final weight of the box?",
]


def _convert(tmp_path: Path) -> Path:
    """An Alpaca JSON file and a ShareGPT JSON Lines file asking the same questions (the ShareGPT one
    with other wording of punctuation and case, and other answers), converted into data/domain/."""
    raw = tmp_path / "raw"
    raw.mkdir()
    alpaca = [
        {"instruction": q, "input": "", "output": f"Step by step: the answer is {i * 3 + 7}."}
        for i, q in enumerate(QUESTIONS)
    ]
    (raw / "gsm8k_alpaca.json").write_text(json.dumps(alpaca, indent=2))
    with (raw / "gsm8k_sharegpt.jsonl").open("w") as f:
        for i, q in enumerate(QUESTIONS):
            shouted = q.upper().replace("?", " ??").replace(",", " ,")
            conv = [
                {"from": "human", "value": "  " + shouted},
                {"from": "gpt", "value": f"Let me work it out. In total: {i * 3 + 7}. #### {i * 3 + 7}"},
            ]
            f.write(json.dumps({"conversations": conv}) + "\n")
    data = tmp_path / "data"
    result = CliRunner().invoke(
        app, ["convert", "--input", str(raw), "--output", str(data / "domain"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    return data


def test_duplicate_prompt_across_files_and_formats(tmp_path):
    data = _convert(tmp_path)
    files = sorted(p.relative_to(data).as_posix() for p in data.rglob("*.jsonl"))
    assert len(files) == 2, files
    report = run(data)
    dup = [f for f in report.findings if f.check == "duplicate_prompt"]
    assert len(dup) == len(QUESTIONS)
    assert {f.file for f in dup} == {files[1]}
    assert all(f.severity == "warning" for f in dup)
    first = dup[0]
    assert first.line == 1 and f"{files[0]}:1" in first.message
    # the answers differ: not a whole-record duplicate, and the report never double counts
    assert "duplicate" not in {f.check for f in report.findings}
    assert report.errors == 0


def test_duplicate_prompt_near_match_and_kinds(tmp_path):
    question = QUESTIONS[2]  # Betty
    a = example("reasoning_problem_solving")
    a["messages"][0]["content"] = question
    b = example("domain_kubernetes", id="dom-2")
    b["messages"][0]["content"] = question.replace("the wallet?", "the new wallet?")
    write_records(tmp_path, [a, b])
    dup = [f for f in run(tmp_path).findings if f.check == "duplicate_prompt"]
    assert len(dup) == 1 and "nearly the same prompt" in dup[0].message
    # part of near-duplicate detection: off with it
    assert not [f for f in run(tmp_path, near_dup=False).findings if f.check == "duplicate_prompt"]


def test_duplicate_prompt_skips_preferences_and_paths_of_one_source_line(tmp_path):
    p1 = example("preference_code_quality")
    p2 = example("preference_code_quality", id="pref-2")
    p2["chosen"][0]["content"] += "\n\nThat is all."
    p2["rejected"][0]["content"] += " (shorter)"
    d1 = example("domain_kubernetes")
    d1["metadata"] = {**d1.get("metadata", {}), "source": "oasst.trees.jsonl", "line": 7}
    d2 = json.loads(json.dumps(d1))
    d2["id"] = "dom-other-path"
    d2["messages"][1]["content"] = "A different reply, from another branch of the same tree."
    write_records(tmp_path, [p1, p2, d1, d2])
    report = run(tmp_path)
    assert "duplicate_prompt" not in {f.check for f in report.findings}, report.findings


PYTHON_FILE = inspect.getsource(pipeline)
MARKDOWN_TABLE = "| check | severity | dropped by --fix |\n|---|---|---|\n" + "\n".join(
    f"| check_{i} | {'error' if i % 3 else 'warning'} | {'yes' if i % 2 else 'no'} |" for i in range(60)
)
CSV_LISTING = "id,name,price,stock\n" + "\n".join(
    f"{i},widget-{i % 7},{(i * 37) % 100}.99,{(i * 13) % 50}" for i in range(300)
)
NUMBERED_LIST = "\n".join(
    f"{i}. Run `pytest tests/test_step_{i}.py` and check that the step {i} output matches the fixture."
    for i in range(1, 120)
)
SELF_LINES = "class Config:\n    def __init__(self, **kw):\n" + "\n".join(
    f"        self.option_{i} = kw.get('option_{i}', None)" for i in range(80)
)


@pytest.mark.parametrize(
    "text", [PYTHON_FILE, MARKDOWN_TABLE, CSV_LISTING, NUMBERED_LIST, SELF_LINES, PYTHON_FILE * 2]
)
def test_repetition_not_flagged_on_realistic_text(text):
    assert quality.repeated(text) is None


def test_repetition_flagged():
    sentence = "I will now check the configuration file for the missing key. "
    assert "8-grams" in quality.repeated(sentence * 2000)
    lines = "Here is the fix:\n" + "Traceback (most recent call last):\n" * 30 + "done\n"
    assert "one line is 30 of its 32 lines" in quality.repeated(lines)
    assert quality.repeated("}\n" * 40) is None  # punctuation-only lines do not count


def test_repetition_in_records(tmp_path):
    looping = example("reasoning_problem_solving")
    looping["messages"][1]["content"] = "Let me think about this again. " * 2000
    clean = example("reasoning_architecture_decisions")
    pref = example("preference_efficiency")
    pref["rejected"][0]["content"] = "return x\n" * 50  # a bad rejected reply is not flagged
    write_records(tmp_path, [looping, clean, pref])
    found = [f for f in run(tmp_path).findings if f.check == "repetition"]
    assert [(f.id, f.severity) for f in found] == [(looping["id"], "warning")]
    assert "assistant turn messages[1]" in found[0].message


def _without_calls(record):
    record = json.loads(json.dumps(record))
    record["messages"] = [m for m in record["messages"] if m["role"] in ("system", "user")]
    record["messages"].append({"role": "assistant", "content": "Done: nothing needed to change."})
    return record


def test_tools_unused(tmp_path):
    convo = example("conversation_coding_sessions")
    uncalled = [_without_calls(convo), _without_calls({**convo, "id": "conv-2"})]
    write_records(tmp_path, uncalled)
    traj = example("trajectory_coding")
    write_records(tmp_path, [traj, _without_calls({**traj, "id": "traj-2"})])  # one calls: fine
    found = [f for f in run(tmp_path).findings if f.check == "tools_unused"]
    assert len(found) == 1
    assert found[0].file.startswith("conversations") and found[0].line == 0
    assert found[0].severity == "warning" and "2 record(s) define tools" in found[0].message
