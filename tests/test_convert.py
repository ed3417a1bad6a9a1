"""agentic convert, library level: every format and file type from small files written here, the
malformed inputs a user's data really has, and the guarantees (valid records, rejects with reasons,
dedup, deterministic ids, same output with several processes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentic_pipeline.convert import InputError, Options, convert_inputs
from agentic_pipeline.curate.semantics import RULES
from agentic_pipeline.records import dump_record, parse_record


def write_jsonl(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def run(inputs: list[Path] | Path, tmp_path: Path, **options):
    """Convert, then hold every output line to the record models and the semantic rules."""
    out = tmp_path / "data" / "domain"
    summary = convert_inputs(inputs if isinstance(inputs, list) else [inputs], out, Options(**options))
    for path in summary.outputs:
        for line in path.read_bytes().splitlines():
            record = parse_record(orjson.loads(line))
            # The hot path builds dicts by hand: they must be byte-identical to the models' own dump.
            assert orjson.dumps(dump_record(record)) == line
            for name, rule in RULES:
                assert rule(record) is True, (name, rule(record), line)
    return summary, out


def rejects(out: Path) -> list[dict]:
    return read_jsonl(out / "rejected" / "convert.jsonl")


def test_alpaca_with_and_without_input(tmp_path):
    src = write_jsonl(
        tmp_path / "in" / "cooking.jsonl",
        [
            {"instruction": "Give a tip.", "input": "", "output": "Salt the water."},
            {"instruction": "Translate", "input": "bonjour", "output": "hello", "system": "You translate."},
        ],
    )
    summary, out = run(src, tmp_path)
    [report] = summary.files
    assert (report.format, report.read, report.written, report.rejected) == ("alpaca", 2, 2, 0)
    first, second = read_jsonl(out / "cooking.jsonl")
    assert first["kind"] == "domain" and first["category"] == "cooking"
    assert first["messages"] == [
        {"role": "user", "content": "Give a tip."},
        {"role": "assistant", "content": "Salt the water."},
    ]
    assert second["messages"][0] == {"role": "system", "content": "You translate."}
    assert second["messages"][1]["content"] == "Translate\n\nbonjour"
    assert first["metadata"] == {"schema_version": 1, "source": str(src), "line": 1, "format": "alpaca"}


def test_sharegpt_with_function_calls_synthesizes_tools(tmp_path):
    row = {
        "conversations": [
            {"from": "system", "value": "Be brief."},
            {"from": "human", "value": "Weather in Paris?"},
            {"from": "gpt", "value": "Let me check."},
            {
                "from": "function_call",
                "value": json.dumps({"name": "weather", "arguments": {"city": "Paris"}}),
            },
            {"from": "observation", "value": "sunny, 21C"},
            {"from": "gpt", "value": "Sunny and 21C."},
        ]
    }
    summary, out = run(write_jsonl(tmp_path / "in" / "chat.jsonl", [row]), tmp_path)
    [record] = read_jsonl(out / "chat.jsonl")
    roles = [m["role"] for m in record["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    call = record["messages"][2]["tool_calls"][0]
    assert record["messages"][2]["content"] == "Let me check."
    assert call["function"] == {"name": "weather", "arguments": {"city": "Paris"}}
    assert record["messages"][3] == {
        "role": "tool",
        "content": "sunny, 21C",
        "tool_call_id": call["id"],
        "name": "weather",
    }
    assert record["tools"][0]["function"]["name"] == "weather"
    assert record["tools"][0]["function"]["parameters"]["properties"] == {"city": {}}
    assert record["metadata"]["synthesized_tools"] == ["weather"]
    assert summary.files[0].notes["tool definitions synthesized from calls"] == 1


def test_sharegpt_tools_given_as_json_string_are_used(tmp_path):
    tools = [
        {
            "name": "search",
            "description": "Search.",
            "parameters": {"type": "object", "properties": {"q": {}}},
        }
    ]
    row = {
        "conversations": [
            {"from": "human", "value": "find x"},
            {"from": "function_call", "value": json.dumps({"name": "search", "arguments": {"q": "x"}})},
            {"from": "observation", "value": "found"},
            {"from": "gpt", "value": "Found x."},
        ],
        "tools": json.dumps(tools),
    }
    _, out = run(write_jsonl(tmp_path / "in" / "s.jsonl", [row]), tmp_path)
    [record] = read_jsonl(out / "s.jsonl")
    assert record["tools"][0]["function"]["description"] == "Search."
    assert "synthesized_tools" not in record["metadata"]


def _openai_row(arguments: str, tools: list | None = None) -> dict:
    row = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "List files"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": arguments}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "a.py"},
            {"role": "assistant", "content": "There is a.py."},
        ]
    }
    if tools is not None:
        row["tools"] = tools
    return row


def test_openai_chat_tool_calls_with_string_arguments(tmp_path):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "bash",
                "description": "Run a command.",
                "parameters": {
                    "type": "object",
                    "properties": {"command": {"type": "string"}},
                    "required": ["command"],
                },
                "strict": True,
            },
        }
    ]
    rows = [
        _openai_row('{"command": "ls"}', tools),
        _openai_row('{"command": "ls"', tools),  # bad JSON
        _openai_row('{"cmd": 3}', tools),  # valid JSON that its tool's schema rejects
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "ops.jsonl", rows), tmp_path)
    [record] = read_jsonl(out / "ops.jsonl")
    assert record["messages"][1]["tool_calls"][0]["function"]["arguments"] == {"command": "ls"}
    assert record["messages"][0]["content"] == "List files"
    assert record["tools"][0]["function"]["description"] == "Run a command."
    bad_json, bad_args = rejects(out)
    assert (bad_json["line"], bad_args["line"]) == (2, 3)
    assert "not valid JSON" in bad_json["reason"] and "messages[2]" in bad_json["reason"]
    assert "do not match its parameters" in bad_args["reason"]
    assert summary.files[0].rejected == 2


def test_prompt_completion_qa_variants_and_dolly(tmp_path):
    write_jsonl(tmp_path / "in" / "pc.jsonl", [{"prompt": "2+2?", "completion": "4"}])
    write_jsonl(
        tmp_path / "in" / "qa.jsonl",
        [
            {"question": "Q1?", "answer": "A1"},
            {"query": "Q2?", "response": "A2"},
            {"input": "Q3?", "output": "A3"},
        ],
    )
    write_jsonl(
        tmp_path / "in" / "dolly.jsonl",
        [{"instruction": "Who?", "context": "Ada wrote it.", "response": "Ada"}],
    )
    summary, out = run(tmp_path / "in", tmp_path)
    assert {f.domain: f.format for f in summary.files} == {
        "pc": "prompt_completion",
        "qa": "qa",
        "dolly": "dolly",
    }
    assert [r["messages"][0]["content"] for r in read_jsonl(out / "qa.jsonl")] == ["Q1?", "Q2?", "Q3?"]
    assert read_jsonl(out / "pc.jsonl")[0]["messages"][1]["content"] == "4"
    assert read_jsonl(out / "dolly.jsonl")[0]["messages"][0]["content"] == "Who?\n\nAda wrote it."


def test_oasst_tree_export_takes_the_best_ranked_path(tmp_path):
    tree = {
        "message_tree_id": "t1",
        "prompt": {
            "message_id": "m1",
            "role": "prompter",
            "text": "What is a monad?",
            "replies": [
                {"message_id": "m2", "role": "assistant", "text": "Second best.", "rank": 1, "replies": []},
                {
                    "message_id": "m3",
                    "role": "assistant",
                    "text": "Best answer.",
                    "rank": 0,
                    "replies": [{"message_id": "m4", "role": "prompter", "text": "Thanks", "replies": []}],
                },
            ],
        },
    }
    path = tmp_path / "in" / "oasst.json"
    path.parent.mkdir()
    path.write_text(json.dumps([tree]))
    summary, out = run(path, tmp_path)
    [record] = read_jsonl(out / "oasst.jsonl")
    assert summary.files[0].format == "oasst_tree"
    # The unanswered "Thanks" at the end of the best path is cut: a record ends with the assistant.
    assert [m["content"] for m in record["messages"]] == ["What is a monad?", "Best answer."]


def test_oasst_message_table_from_parquet(tmp_path):
    rows = [
        {"message_id": "a", "parent_id": None, "role": "prompter", "text": "Hi?", "rank": None},
        {"message_id": "b", "parent_id": "a", "role": "assistant", "text": "Worse.", "rank": 1},
        {"message_id": "c", "parent_id": "a", "role": "assistant", "text": "Hello!", "rank": 0},
        {"message_id": "d", "parent_id": "c", "role": "prompter", "text": "How are you?", "rank": None},
        {"message_id": "e", "parent_id": "d", "role": "assistant", "text": "Fine.", "rank": None},
        {"message_id": "z", "parent_id": "missing", "role": "assistant", "text": "Orphan.", "rank": 0},
    ]
    path = tmp_path / "in" / "oasst_table.parquet"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), path)
    summary, out = run(path, tmp_path)
    [record] = read_jsonl(out / "oasst_table.jsonl")
    assert [m["content"] for m in record["messages"]] == ["Hi?", "Hello!", "How are you?", "Fine."]
    [report] = summary.files
    assert (report.format, report.read, report.written, report.rejected) == ("oasst_flat", 6, 1, 1)
    assert "parent message missing" in rejects(out)[0]["reason"]
    # 4 replies: the best path keeps 2; "Worse." is on a lower-ranked branch, the orphan has no tree.
    assert report.oasst == {
        "replies": 4,
        "deleted": 1,
        "top": 2,
        "all": 3,
        "kept": 2,
        "groups": 1,
        "pairs": 1,
    }


def test_preferences_go_to_the_preferences_folder(tmp_path):
    rows = [
        {
            "chosen": "\n\nHuman: Hi\n\nAssistant: Hello! How can I help?",
            "rejected": "\n\nHuman: Hi\n\nAssistant: What.",
        },
        {
            "prompt": [{"role": "user", "content": "Sort [3,1]"}],
            "chosen": [{"role": "assistant", "content": "[1, 3]"}],
            "rejected": [{"role": "assistant", "content": "[3, 1]"}],
        },
        {
            "chosen": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}],
            "rejected": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "5"}],
        },
        {"chosen": "\n\nHuman: Hi\n\nAssistant: Same", "rejected": "\n\nHuman: Hi\n\nAssistant: Same"},
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "helpful.jsonl", rows), tmp_path)
    pairs = read_jsonl(tmp_path / "data" / "preferences" / "helpful.jsonl")
    assert not (out / "helpful.jsonl").exists()
    assert [p["kind"] for p in pairs] == ["preference"] * 3
    assert pairs[0]["prompt"] == [{"role": "user", "content": "Hi"}]
    assert pairs[0]["chosen"] == [{"role": "assistant", "content": "Hello! How can I help?"}]
    assert pairs[2]["prompt"] == [{"role": "user", "content": "2+2"}]
    assert pairs[2]["rejected"] == [{"role": "assistant", "content": "5"}]
    assert pairs[0]["category"] == "helpful"
    assert rejects(out)[0]["reason"] == "chosen and rejected are the same"


def test_file_types_json_object_csv_tsv(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "wrapped.json").write_text(
        json.dumps({"version": 2, "data": [{"question": "A?", "answer": "a"}]})
    )
    with (root / "sheet.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Question", "Answer"])
        w.writerow(["Multi\nline?", "yes, with a comma"])
        w.writerow(["B?", "b"])
    (root / "tabs.tsv").write_text("instruction\tinput\toutput\nDo it\t\tDone\n")
    summary, out = run(root, tmp_path)
    by_domain = {f.domain: f for f in summary.files}
    assert by_domain["wrapped"].format == "qa" and by_domain["wrapped"].written == 1
    assert "records taken from key(s) data" in by_domain["wrapped"].notes
    sheet = read_jsonl(out / "sheet.jsonl")
    assert sheet[0]["messages"][0]["content"] == "Multi\nline?"
    assert [r["metadata"]["line"] for r in sheet] == [2, 4]  # CSV lines, a quoted newline included
    assert read_jsonl(out / "tabs.jsonl")[0]["messages"][1]["content"] == "Done"


def test_forced_format_and_unknown_format_message(tmp_path):
    weird = write_jsonl(tmp_path / "in" / "weird.jsonl", [{"q_text": "x", "a_text": "y"}])
    summary, out = run(weird, tmp_path)
    [report] = summary.files
    assert report.format is None and report.written == 0
    assert "a_text, q_text" in report.message
    assert "no known format (keys: a_text, q_text)" in rejects(out)[0]["reason"]

    alpaca = write_jsonl(
        tmp_path / "in2" / "a.jsonl", [{"instruction": "x", "output": "y"}, {"question": "q"}]
    )
    summary, out = run(alpaca, tmp_path, fmt="alpaca")
    assert summary.files[0].forced and summary.files[0].written == 1
    assert "missing key(s) instruction, output for format alpaca" in rejects(out)[0]["reason"]
    with pytest.raises(InputError, match="unknown format 'nope'"):
        run(alpaca, tmp_path, fmt="nope")


def test_domains_from_folders_option_and_stems(tmp_path):
    row = [{"question": "q?", "answer": "a"}]
    write_jsonl(tmp_path / "in" / "Medical Notes" / "deep" / "x.jsonl", row)
    write_jsonl(tmp_path / "in" / "Top-Level File.jsonl", [{"question": "q2?", "answer": "a"}])
    summary, _ = run(tmp_path / "in", tmp_path)
    assert sorted(f.domain for f in summary.files) == ["medical_notes", "top_level_file"]
    summary, out = run(tmp_path / "in", tmp_path, domain="Support")
    assert {f.domain for f in summary.files} == {"support"}
    assert len(read_jsonl(out / "support.jsonl")) == 2
    with pytest.raises(InputError, match="no such file"):
        run(tmp_path / "missing", tmp_path)


def test_duplicates_after_whitespace_normalisation_are_counted(tmp_path):
    rows = [
        {"question": "What is  X?", "answer": "X is\n a letter."},
        {"question": " What is X? ", "answer": "X is a letter."},
        {"question": "What is Y?", "answer": "Y is a letter."},
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "d.jsonl", rows), tmp_path)
    assert (summary.files[0].written, summary.files[0].duplicates) == (2, 1)
    assert [r["metadata"]["line"] for r in read_jsonl(out / "d.jsonl")] == [1, 3]


# --- malformed inputs ---------------------------------------------------------------------------


def test_truncated_last_line_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "in" / "t.jsonl"
    path.parent.mkdir()
    path.write_text('{"question": "a?", "answer": "b"}\n{"question": "c?", "ans')
    summary, out = run(path, tmp_path)
    [reject] = rejects(out)
    assert reject["file"] == str(path) and reject["line"] == 2
    assert "truncated" in reject["reason"] and reject["raw"] == '{"question": "c?", "ans'
    assert summary.files[0].written == 1


def test_wrong_types_numbers_become_text_lists_are_rejected(tmp_path):
    rows = [
        {"question": "6*7?", "answer": 42},
        {"question": "list?", "answer": ["a", "b"]},
        {"question": "bool?", "answer": True},
        {"messages": [{"role": ["user"], "content": "x"}]},
        [1, 2, 3],
        "just a string",
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "w.jsonl", rows), tmp_path)
    [record] = read_jsonl(out / "w.jsonl")
    assert record["messages"][1]["content"] == "42"
    assert summary.files[0].notes["numbers converted to text"] == 1
    reasons = [r["reason"] for r in rejects(out)]
    assert reasons[0] == "'answer' must be a string, got list"
    assert reasons[1] == "'answer' must be a string, got boolean"
    assert "unexpected structure" in reasons[2]
    assert reasons[3:] == ["expected a JSON object, got list", "expected a JSON object, got str"]


def test_bom_and_invalid_utf8(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    good = b'{"question": "q?", "answer": "a"}\n'
    (root / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + good + good.replace(b"q?", b"r?"))
    (root / "bad.jsonl").write_bytes(good + b'{"question": "\xff\xfe?", "answer": "a"}\n')
    (root / "bad.csv").write_bytes(b"question,answer\nok?,fine\n\xff?,x\n")
    (root / "bom_sheet.csv").write_bytes(b"\xef\xbb\xbfquestion,answer\nq?,a\n")
    summary, out = run(root, tmp_path)
    by_name = {Path(f.source).name: f for f in summary.files}
    assert by_name["bom.jsonl"].written == 2 and by_name["bom.jsonl"].notes["UTF-8 BOM removed"] == 1
    assert by_name["bom_sheet.csv"].written == 1 and by_name["bom_sheet.csv"].format == "qa"
    assert (by_name["bad.jsonl"].written, by_name["bad.jsonl"].rejected) == (1, 1)
    assert (by_name["bad.csv"].written, by_name["bad.csv"].rejected) == (1, 1)
    bad = {r["file"]: r for r in rejects(out)}
    assert "UTF-8" in bad[str(root / "bad.jsonl")]["reason"]
    assert bad[str(root / "bad.csv")] == {
        "file": str(root / "bad.csv"),
        "line": 3,
        "reason": "invalid UTF-8 bytes in the row",
        "raw": "\ufffd?,x",
    }


def test_mixed_formats_in_one_file_are_detected_per_line(tmp_path):
    rows = [
        {"instruction": "a", "output": "b"},
        {"instruction": "c", "output": "d"},
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]},
        {"chosen": "\n\nHuman: x\n\nAssistant: good", "rejected": "\n\nHuman: x\n\nAssistant: bad"},
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "mix.jsonl", rows), tmp_path)
    [report] = summary.files
    assert report.format == "alpaca" and report.written == 4
    assert report.notes["rows in another format: sharegpt"] == 1
    assert report.notes["rows in another format: preference"] == 1
    assert [r["metadata"]["format"] for r in read_jsonl(out / "mix.jsonl")] == [
        "alpaca",
        "alpaca",
        "sharegpt",
    ]
    assert len(read_jsonl(tmp_path / "data" / "preferences" / "mix.jsonl")) == 1


def test_empty_files_and_json_named_jsonl(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "empty.jsonl").write_bytes(b"")
    (root / "blank.json").write_text("  \n")
    (root / "lines.json").write_text('{"question": "a?", "answer": "b"}\n{"question": "c?", "answer": "d"}\n')
    (root / "broken.json").write_text('[{"question": "a?"')
    (root / "notes.txt").write_text("not data")
    summary, out = run(root, tmp_path)
    by_name = {Path(f.source).name: f for f in summary.files}
    assert by_name["empty.jsonl"].message == "empty file: no records"
    assert by_name["blank.json"].message == "empty file: no records"
    assert by_name["lines.json"].written == 2
    assert "not valid JSON" in rejects(out)[0]["reason"]
    assert any("notes.txt" in s for s in summary.skipped)


# --- guarantees ---------------------------------------------------------------------------------


def _bulk(n: int) -> list[dict]:
    return [
        {"question": f"q{i}?", "answer": f"a{i % 50}"} if i % 3 else {"instruction": f"i{i}", "output": "o"}
        for i in range(n)
    ]


def test_ids_are_deterministic_and_processes_do_not_change_the_output(tmp_path):
    rows = _bulk(600) + _bulk(50)  # the last 50 repeat: duplicates across chunks
    src = write_jsonl(tmp_path / "in" / "big.jsonl", rows)
    with src.open("ab") as f:
        f.write(b'{"bad json\n')
    one, out = run(src, tmp_path, workers=1)
    first = (out / "big.jsonl").read_bytes()
    first_rejects = (out / "rejected" / "convert.jsonl").read_bytes()
    many, _ = run(src, tmp_path, workers=2, chunk_bytes=2048)
    assert (out / "big.jsonl").read_bytes() == first
    assert (out / "rejected" / "convert.jsonl").read_bytes() == first_rejects
    assert (one.files[0].written, one.files[0].duplicates, one.files[0].rejected) == (600, 50, 1)
    assert (many.files[0].written, many.files[0].duplicates) == (600, 50)
    ids = [r["id"] for r in read_jsonl(out / "big.jsonl")]
    assert len(set(ids)) == len(ids)
    assert json.loads(first_rejects)["line"] == 651


def test_output_folder_inside_the_input_is_not_read_back(tmp_path):
    root = tmp_path / "data"
    write_jsonl(root / "raw" / "x.jsonl", [{"question": "q?", "answer": "a"}])
    out = root / "domain"
    convert_inputs([root], out, Options())
    summary = convert_inputs([root], out, Options())
    assert [f.domain for f in summary.files] == ["raw"]
    assert any("inside the output folder" in s for s in summary.skipped)


def test_parquet_chat_with_struct_columns(tmp_path):
    # Arrow gives every row every struct field, null where absent: the converter must not see them.
    call = {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}}
    rows = [
        {
            "messages": [
                {"role": "user", "content": "list", "tool_calls": None, "tool_call_id": None},
                {"role": "assistant", "content": "", "tool_calls": [call], "tool_call_id": None},
                {"role": "tool", "content": "a.py", "tool_calls": None, "tool_call_id": "c1"},
                {"role": "assistant", "content": "a.py", "tool_calls": None, "tool_call_id": None},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "hi", "tool_calls": None, "tool_call_id": None},
                {"role": "assistant", "content": "hello", "tool_calls": None, "tool_call_id": None},
            ]
        },
    ]
    path = tmp_path / "in" / "chat.parquet"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), path)
    summary, out = run(path, tmp_path)
    first, second = read_jsonl(out / "chat.jsonl")
    assert summary.files[0].format == "openai"
    assert first["messages"][1]["tool_calls"][0]["function"]["arguments"] == {"command": "ls"}
    assert second["messages"] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
    ]
    assert [r["metadata"]["line"] for r in (first, second)] == [1, 2]
