"""agentic convert keeps tool use and ranked data: OpenAI function-calling fine-tuning lines that end
on the call, agent-trace logs with a thought and its call as two assistant messages, OpenAI's DPO
format with tools, and OASST2 trees with ranked siblings (all paths, preference pairs). Every fixture
is written here by hand in its published format; every output line is held to the record models,
the semantic rules, ``datasets.load_dataset`` and the tiny tokenizer's chat template."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import datasets
import orjson
import pytest
from test_convert import read_jsonl, rejects, run, write_jsonl
from typer.testing import CliRunner

import agentic_pipeline.commands.convert  # noqa: F401  (registers the command)
from agentic_pipeline.commands import app
from agentic_pipeline.commands.convert import short_name
from agentic_pipeline.convert import Options, convert_inputs
from agentic_pipeline.curate import Options as ValidateOptions
from agentic_pipeline.curate import validate
from agentic_pipeline.curate.semantics import final_turn
from agentic_pipeline.records import parse_record
from agentic_pipeline.render import render_conversation, render_preference

# --- fixtures: OpenAI function-calling fine-tuning data ------------------------------------------

WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "The city and country, eg. San Francisco, USA",
                    },
                    "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location", "format"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_n_day_weather_forecast",
            "description": "Get an N-day weather forecast",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "The city and country, eg. San Francisco, USA",
                    },
                    "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    "num_days": {"type": "integer", "description": "The number of days to forecast"},
                },
                "required": ["location", "format", "num_days"],
            },
        },
    },
]
SYSTEM = (
    "Don't make assumptions about what values to plug into functions. "
    "Ask for clarification if a user request is ambiguous."
)


def _call(cid: str, name: str, **arguments) -> dict:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


FUNCTION_CALLING = [
    # 1: OpenAI's own example: the call is the last message, there is no tool result.
    {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "What's the weather like today in Glasgow, Scotland?"},
            {
                "role": "assistant",
                "tool_calls": [
                    _call(
                        "call_9pw1qnYScqvGrCH58HWCvFH6",
                        "get_current_weather",
                        location="Glasgow, Scotland",
                        format="celsius",
                    )
                ],
            },
        ],
        "parallel_tool_calls": False,
        "tools": WEATHER_TOOLS,
    },
    # 2: a clarifying question first, then the call.
    {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "What's the weather going to be in Paris over the next 4 days?"},
            {"role": "assistant", "content": "Would you like the forecast in celsius or fahrenheit?"},
            {"role": "user", "content": "Celsius, please."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    _call(
                        "call_u3Q8",
                        "get_n_day_weather_forecast",
                        location="Paris, France",
                        format="celsius",
                        num_days=4,
                    )
                ],
            },
        ],
        "tools": WEATHER_TOOLS,
    },
    # 3: parallel calls as the target.
    {
        "messages": [
            {"role": "user", "content": "Current weather in Tokyo and in Oslo, in celsius?"},
            {
                "role": "assistant",
                "tool_calls": [
                    _call("call_t1", "get_current_weather", location="Tokyo, Japan", format="celsius"),
                    _call("call_o1", "get_current_weather", location="Oslo, Norway", format="celsius"),
                ],
            },
        ],
        "parallel_tool_calls": True,
        "tools": WEATHER_TOOLS,
    },
    # 4: a whole exchange, answered.
    {
        "messages": [
            {"role": "user", "content": "Is it warm in Lisbon right now? Use celsius."},
            {
                "role": "assistant",
                "tool_calls": [
                    _call("call_l1", "get_current_weather", location="Lisbon, Portugal", format="celsius")
                ],
            },
            {"role": "tool", "tool_call_id": "call_l1", "content": '{"temperature": 24, "sky": "clear"}'},
            {"role": "assistant", "content": "Yes: 24 °C and clear skies in Lisbon."},
        ],
        "tools": WEATHER_TOOLS,
    },
    # 5: the legacy format (functions + function_call), ending on the call.
    {
        "messages": [
            {"role": "user", "content": "How hot is it in Boston?"},
            {
                "role": "assistant",
                "function_call": {
                    "name": "get_current_weather",
                    "arguments": '{"location": "Boston, USA", "format": "fahrenheit"}',
                },
            },
        ],
        "functions": [WEATHER_TOOLS[0]["function"]],
    },
    # 6: a log cut after the tool result: nothing to learn after the result, so it is rejected.
    {
        "messages": [
            {"role": "user", "content": "Weather in Rome, celsius?"},
            {
                "role": "assistant",
                "tool_calls": [
                    _call("call_r1", "get_current_weather", location="Rome, Italy", format="celsius")
                ],
            },
            {"role": "tool", "tool_call_id": "call_r1", "content": '{"temperature": 19}'},
        ],
        "tools": WEATHER_TOOLS,
    },
]

# --- fixtures: an agent-trace log (a thought and its call logged as two assistant messages) -------

AGENT_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "run_shell",
            "description": "Run a shell command in the repository and return its output.",
            "parameters": {
                "type": "object",
                "properties": {"command": {"type": "string"}},
                "required": ["command"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file of the repository.",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
    },
]
AGENT_SYSTEM = "You are a coding agent working in /workspace/repo. Use the tools to inspect files."

AGENT_TRACES = [
    {
        "messages": [
            {"role": "system", "content": AGENT_SYSTEM},
            {"role": "user", "content": "test_parse_dates fails on CI but not on my laptop. Why?"},
            {"role": "assistant", "content": "I'll run the failing test first to see the error."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    _call("call_01", "run_shell", command="pytest tests/test_dates.py::test_parse_dates -q")
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "call_01",
                "name": "run_shell",
                "content": "F\nE   AssertionError: 2024-03-10 02:30 does not exist in America/New_York\n1 failed",
            },
            {"role": "assistant", "content": "The time falls in the DST gap. Let me read the parser."},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [_call("call_02", "read_file", path="src/dates.py")],
            },
            {
                "role": "tool",
                "tool_call_id": "call_02",
                "name": "read_file",
                "content": "def parse(s):\n    return datetime.strptime(s, FMT).replace(tzinfo=LOCAL)",
            },
            {
                "role": "assistant",
                "content": "CI runs in America/New_York, where 02:30 on 2024-03-10 does not exist; "
                "`replace(tzinfo=...)` does not handle the gap. Parse in UTC or use `zoneinfo` with `fold`.",
            },
        ],
        "tools": AGENT_TOOLS,
    },
    {
        # Parallel calls logged one per message, then their results.
        "messages": [
            {"role": "user", "content": "Which log is bigger, logs/app.log or logs/worker.log?"},
            {"role": "assistant", "content": "Checking both sizes."},
            {"role": "assistant", "tool_calls": [_call("call_a", "run_shell", command="du -b logs/app.log")]},
            {
                "role": "assistant",
                "tool_calls": [_call("call_b", "run_shell", command="du -b logs/worker.log")],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": "52311\tlogs/app.log"},
            {"role": "tool", "tool_call_id": "call_b", "content": "1048576\tlogs/worker.log"},
            {"role": "assistant", "content": "logs/worker.log is bigger: 1,048,576 bytes against 52,311."},
        ],
        "tools": AGENT_TOOLS,
    },
    {
        # The trace stops at the agent's next action: a thought, then its call.
        "messages": [
            {"role": "system", "content": AGENT_SYSTEM},
            {"role": "user", "content": "Where is the retry limit configured?"},
            {"role": "assistant", "content": "Let me search the code for the setting."},
            {
                "role": "assistant",
                "tool_calls": [_call("call_s1", "run_shell", command="grep -rn retry_limit src/")],
            },
        ],
        "tools": AGENT_TOOLS,
    },
]

# --- fixtures: OpenAI DPO fine-tuning data --------------------------------------------------------

FORECAST_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_forecast",
            "description": "Weather forecast for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                "required": ["city"],
            },
        },
    }
]
DPO = [
    {
        "input": {
            "messages": [
                {"role": "system", "content": "You are a travel assistant. Check facts with your tools."},
                {"role": "user", "content": "Is it going to rain in Lisbon tomorrow?"},
            ],
            "tools": FORECAST_TOOLS,
            "parallel_tool_calls": True,
        },
        "preferred_output": [
            {"role": "assistant", "tool_calls": [_call("call_fc1", "get_forecast", city="Lisbon", days=1)]}
        ],
        "non_preferred_output": [
            {"role": "assistant", "content": "Lisbon is usually sunny, so no rain tomorrow."}
        ],
    },
    {
        "input": {
            "messages": [
                {"role": "user", "content": "Do I need an umbrella in Porto on Saturday?"},
                {"role": "assistant", "tool_calls": [_call("call_p1", "get_forecast", city="Porto", days=3)]},
                {"role": "tool", "tool_call_id": "call_p1", "content": '{"saturday": "rain, 12 mm"}'},
            ],
            "tools": FORECAST_TOOLS,
        },
        "preferred_output": [
            {"role": "assistant", "content": "Yes: 12 mm of rain is forecast for Saturday."}
        ],
        "non_preferred_output": [{"role": "assistant", "content": "No, Saturday looks dry."}],
    },
    # OpenAI's documentation example, no tools.
    {
        "input": {
            "messages": [
                {"role": "user", "content": "Hello, can you tell me how cold San Francisco is today?"}
            ],
            "tools": [],
            "parallel_tool_calls": True,
        },
        "preferred_output": [
            {
                "role": "assistant",
                "content": "Today in San Francisco, it is not quite cold as expected. Morning clouds will give "
                "away to sunshine, with a high near 68°F (20°C) and a low around 57°F (14°C).",
            }
        ],
        "non_preferred_output": [
            {"role": "assistant", "content": "It is not particularly cold in San Francisco today."}
        ],
    },
]

# --- fixtures: an OASST2 message tree with ranked siblings ----------------------------------------


def _msg(mid: str, role: str, text: str, rank: int | None = None, replies=(), **more) -> dict:
    """One OASST2 message as the tree export writes it (the fields of the release, trimmed)."""
    return {
        "message_id": mid,
        "user_id": f"user-{mid}",
        "created_date": "2023-04-12T09:31:17.125000+00:00",
        "text": text,
        "role": role,
        "lang": "en",
        "review_count": 3,
        "review_result": True,
        "deleted": False,
        "rank": rank,
        "synthetic": False,
        "model_name": None,
        "emojis": {"name": ["+1"], "count": [2]},
        "labels": {"name": ["spam", "quality"], "value": [0.0, 0.75], "count": [3, 3]},
        "replies": list(replies),
        **more,
    }


TREE_ID = "6ab24d72-0181-4594-a9cd-deaf170242fb"
OASST_TREE = {
    "message_tree_id": TREE_ID,
    "tree_state": "ready_for_export",
    "prompt": _msg(
        TREE_ID,
        "prompter",
        "What is the difference between a process and a thread?",
        replies=[
            _msg(
                "r1",
                "assistant",
                "A process has its own address space; threads share their process's memory.",
                rank=1,
                replies=[
                    _msg(
                        "p-c",
                        "prompter",
                        "Can two processes share memory at all?",
                        replies=[_msg("c0", "assistant", "Yes, through shared memory segments or mmap.")],
                    )
                ],
            ),
            _msg(
                "r0",
                "assistant",
                "A process is a running program with its own memory; a thread is a path of execution "
                "inside a process, sharing that memory with the process's other threads.",
                rank=0,
                replies=[
                    _msg("p-b", "prompter", "Thanks!"),  # never answered
                    _msg(
                        "p-a",
                        "prompter",
                        "So threads are cheaper to create?",
                        replies=[
                            _msg("a1", "assistant", "Yes.", rank=1),
                            _msg(
                                "a0",
                                "assistant",
                                "Usually: a thread needs no new address space, so creating one costs less.",
                                rank=0,
                            ),
                        ],
                    ),
                ],
            ),
            _msg("r2", "assistant", "Threads are faster.", rank=2),
            _msg("rx", "assistant", "lol", deleted=True),
        ],
    ),
}


def _flatten(node: dict, parent: str | None = None) -> list[dict]:
    """The same tree as the message table of the Hugging Face release (one row per message)."""
    row = {k: v for k, v in node.items() if k != "replies"}
    row.update(parent_id=parent, message_tree_id=TREE_ID, tree_state="ready_for_export")
    return [row] + [r for reply in node["replies"] for r in _flatten(reply, node["message_id"])]


def _contents(record: dict) -> list[str]:
    return [m["content"] for m in record["messages"]]


# --- helpers -----------------------------------------------------------------------------------


def _trained_text(rendered, tok) -> str:
    return tok.decode([i for i, m in zip(rendered.input_ids, rendered.assistant_mask, strict=True) if m])


def _call_text(call: dict) -> str:
    fn = call["function"]
    body = json.dumps({"name": fn["name"], "arguments": fn["arguments"]}, ensure_ascii=False)
    return f"<tool_call>\n{body}\n</tool_call>"


def _loads_like_datasets(path: Path) -> list[dict]:
    """The file through datasets.load_dataset("json"): every row read, messages as written."""
    records = read_jsonl(path)
    with tempfile.TemporaryDirectory() as cache:
        table = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=cache)
        assert len(table) == len(records)
        for row, record in zip(table, records, strict=True):
            assert row["id"] == record["id"]
            for side in ("messages", "prompt", "chosen", "rejected"):
                if side in record:
                    assert [(m["role"], m["content"]) for m in row[side]] == [
                        (m["role"], m.get("content")) for m in record[side]
                    ]
    return records


# --- function-calling fine-tuning data --------------------------------------------------------------


def test_function_calling_examples_that_end_on_the_call_are_kept(tmp_path, tiny_tokenizer):
    src = write_jsonl(tmp_path / "in" / "weather_fc.jsonl", FUNCTION_CALLING)
    summary, out = run(src, tmp_path)
    [report] = summary.files
    assert (report.format, report.read, report.written, report.rejected) == ("openai", 6, 5, 1)
    records = _loads_like_datasets(out / "weather_fc.jsonl")
    ends = [r["metadata"].get("ends_with_tool_call") for r in records]
    assert ends == [True, True, True, None, True]

    glasgow, paris, parallel, lisbon, boston = records
    assert glasgow["tools"][0]["function"]["parameters"] == WEATHER_TOOLS[0]["function"]["parameters"]
    assert glasgow["messages"][-1] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_9pw1qnYScqvGrCH58HWCvFH6",
                "type": "function",
                "function": {
                    "name": "get_current_weather",
                    "arguments": {"location": "Glasgow, Scotland", "format": "celsius"},
                },
            }
        ],
    }
    assert [m["role"] for m in paris["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert len(parallel["messages"][-1]["tool_calls"]) == 2
    assert "ends_with_tool_call" not in lisbon["metadata"]
    # The legacy format: "functions" are the tool definitions, so none are synthesized.
    assert boston["tools"][0]["function"]["name"] == "get_current_weather"
    assert "synthesized_tools" not in boston["metadata"]
    assert boston["messages"][-1]["tool_calls"][0]["function"]["arguments"]["location"] == "Boston, USA"

    # The call is the training target: the loss covers exactly it (and the earlier assistant text).
    r = render_conversation(paris["messages"], paris["tools"], tiny_tokenizer)
    call = paris["messages"][-1]["tool_calls"][0]
    expected = (
        "Would you like the forecast in celsius or fahrenheit?<|im_end|>" + _call_text(call) + "<|im_end|>"
    )
    assert _trained_text(r, tiny_tokenizer) == expected
    r = render_conversation(parallel["messages"], parallel["tools"], tiny_tokenizer)
    calls = parallel["messages"][-1]["tool_calls"]
    assert (
        _trained_text(r, tiny_tokenizer) == _call_text(calls[0]) + "\n" + _call_text(calls[1]) + "<|im_end|>"
    )

    # What is still rejected: a log that ends on the tool result; its tool use is counted as lost.
    [reject] = rejects(out)
    assert (reject["line"], reject["reason"]) == (6, "does not end with an assistant turn (ends with tool)")
    assert (report.tool_rows, report.tool_kept, report.tool_lost, report.tool_duplicates) == (6, 5, 1, 0)
    assert report.notes["records that end on the assistant's tool call (the call is the target)"] == 4


def test_agent_trace_thought_and_call_become_one_assistant_turn(tmp_path, tiny_tokenizer):
    src = write_jsonl(tmp_path / "in" / "traces.jsonl", AGENT_TRACES)
    summary, out = run(src, tmp_path)
    [report] = summary.files
    assert (report.written, report.rejected) == (3, 0)
    debug, sizes, stopped = _loads_like_datasets(out / "traces.jsonl")

    assert [m["role"] for m in debug["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    first = debug["messages"][2]
    assert first["content"] == "I'll run the failing test first to see the error."
    assert [c["id"] for c in first["tool_calls"]] == ["call_01"]
    assert debug["messages"][3]["tool_call_id"] == "call_01"
    assert debug["messages"][4]["content"] == "The time falls in the DST gap. Let me read the parser."
    assert debug["messages"][4]["tool_calls"][0]["function"] == {
        "name": "read_file",
        "arguments": {"path": "src/dates.py"},
    }

    # Parallel calls logged one per message: one turn, calls in order, each result answers its call.
    assert [m["role"] for m in sizes["messages"]] == ["user", "assistant", "tool", "tool", "assistant"]
    assert [c["id"] for c in sizes["messages"][1]["tool_calls"]] == ["call_a", "call_b"]
    assert sizes["messages"][1]["content"] == "Checking both sizes."

    assert stopped["metadata"]["ends_with_tool_call"] is True
    assert stopped["messages"][-1]["content"] == "Let me search the code for the setting."
    assert report.notes["consecutive assistant messages merged into one turn"] == 3
    assert (report.tool_kept, report.tool_lost) == (3, 0)

    r = render_conversation(debug["messages"], debug["tools"], tiny_tokenizer)
    trained = _trained_text(r, tiny_tokenizer)
    assert trained.startswith("I'll run the failing test first to see the error.\n<tool_call>")
    assert "AssertionError" not in trained  # tool output is context, not a target


def test_sharegpt_calls_logged_one_per_turn_merge_too(tmp_path):
    call = lambda q: json.dumps({"name": "search", "arguments": {"q": q}})  # noqa: E731
    row = {
        "conversations": [
            {"from": "human", "value": "Compare numpy and pandas release dates."},
            {"from": "gpt", "value": "I'll look both up."},
            {"from": "function_call", "value": call("numpy release")},
            {"from": "function_call", "value": call("pandas release")},
            {"from": "observation", "value": "numpy 2.0: June 2024"},
            {"from": "observation", "value": "pandas 2.2: January 2024"},
            {"from": "gpt", "value": "pandas 2.2 came first (January 2024), numpy 2.0 followed in June."},
        ]
    }
    _, out = run(write_jsonl(tmp_path / "in" / "sg.jsonl", [row]), tmp_path)
    [record] = read_jsonl(out / "sg.jsonl")
    assert [m["role"] for m in record["messages"]] == ["user", "assistant", "tool", "tool", "assistant"]
    turn = record["messages"][1]
    assert turn["content"] == "I'll look both up."
    assert [c["function"]["arguments"]["q"] for c in turn["tool_calls"]] == [
        "numpy release",
        "pandas release",
    ]
    assert [m["tool_call_id"] for m in record["messages"][2:4]] == [c["id"] for c in turn["tool_calls"]]


# --- OpenAI DPO ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "preference", "openai_dpo"])
def test_openai_dpo_lines_become_preference_pairs_with_tools(tmp_path, tiny_tokenizer, fmt):
    src = write_jsonl(tmp_path / "in" / "travel_dpo.jsonl", DPO)
    summary, out = run(src, tmp_path, fmt=fmt)
    [report] = summary.files
    assert (report.written, report.rejected) == (3, 0), rejects(out)
    assert report.format == (fmt or "openai_dpo")
    assert not (out / "travel_dpo.jsonl").exists()
    pairs = _loads_like_datasets(tmp_path / "data" / "preferences" / "travel_dpo.jsonl")
    call_pair, result_pair, plain = pairs
    assert {p["metadata"]["format"] for p in pairs} == {"openai_dpo"}
    assert call_pair["tools"][0]["function"]["name"] == "get_forecast"
    assert call_pair["prompt"][-1] == {"role": "user", "content": "Is it going to rain in Lisbon tomorrow?"}
    assert call_pair["chosen"][0]["tool_calls"][0]["function"]["arguments"] == {"city": "Lisbon", "days": 1}
    assert call_pair["rejected"] == [
        {"role": "assistant", "content": "Lisbon is usually sunny, so no rain tomorrow."}
    ]
    assert call_pair["metadata"]["ends_with_tool_call"] is True
    assert call_pair["metadata"]["evidence"]["kind"] == "source_label"
    # A prompt may end with tool results: the preferred answer reads them.
    assert [m["role"] for m in result_pair["prompt"]] == ["user", "assistant", "tool"]
    assert "ends_with_tool_call" not in result_pair["metadata"]
    assert plain["tools"] == [] and plain["chosen"][0]["content"].startswith("Today in San Francisco")
    assert (report.tool_kept, report.tool_lost) == (2, 0)

    chosen, rejected = render_preference(
        call_pair["prompt"], call_pair["chosen"], call_pair["rejected"], call_pair["tools"], tiny_tokenizer
    )
    assert (
        _trained_text(chosen, tiny_tokenizer)
        == _call_text(call_pair["chosen"][0]["tool_calls"][0]) + "<|im_end|>"
    )
    assert (
        _trained_text(rejected, tiny_tokenizer) == "Lisbon is usually sunny, so no rain tomorrow.<|im_end|>"
    )


def test_openai_dpo_malformed_lines_are_rejected_with_reasons(tmp_path):
    rows = [
        {"input": "not json", "preferred_output": [], "non_preferred_output": []},
        {
            "input": {"messages": []},
            "preferred_output": DPO[2]["preferred_output"],
            "non_preferred_output": [],
        },
        {**DPO[2], "non_preferred_output": DPO[2]["preferred_output"]},
    ]
    summary, out = run(write_jsonl(tmp_path / "in" / "bad_dpo.jsonl", rows), tmp_path)
    assert summary.files[0].written == 0
    assert [r["reason"] for r in rejects(out)] == [
        "'input' is a string but not a JSON object with messages",
        "input.messages is empty: nothing to prefer an answer to",
        "chosen and rejected are the same",
    ]


# --- OASST ---------------------------------------------------------------------------------------


@pytest.fixture
def oasst_files(tmp_path) -> tuple[Path, Path]:
    trees = write_jsonl(tmp_path / "export" / "oasst2_trees.jsonl", [OASST_TREE])
    table = write_jsonl(tmp_path / "table" / "oasst2_messages.jsonl", _flatten(OASST_TREE["prompt"]))
    return trees, table


@pytest.mark.parametrize("layout", ["trees", "table"])
def test_oasst_top_path_and_what_it_drops(tmp_path, oasst_files, layout):
    src = oasst_files[0] if layout == "trees" else oasst_files[1]
    summary, out = run(src, tmp_path)
    [report] = summary.files
    [record] = read_jsonl(out / f"{src.stem}.jsonl")
    # The best-ranked reply, then the follow-up that was answered (not the unanswered "Thanks!").
    assert _contents(record)[1:] == [
        OASST_TREE["prompt"]["replies"][1]["text"],
        "So threads are cheaper to create?",
        "Usually: a thread needs no new address space, so creating one costs less.",
    ]
    assert record["metadata"]["message_id"] == "a0"
    # 7 replies, one deleted; the best path keeps 2, every root-to-leaf path would keep 6; 3 pairs possible.
    assert report.oasst == {
        "replies": 7,
        "deleted": 1,
        "top": 2,
        "all": 6,
        "kept": 2,
        "groups": 2,
        "pairs": 3,
    }
    assert not (tmp_path / "data" / "preferences").exists()


@pytest.mark.parametrize("layout", ["trees", "table"])
def test_oasst_all_paths_and_ranked_sibling_pairs(tmp_path, oasst_files, layout):
    src = oasst_files[0] if layout == "trees" else oasst_files[1]
    summary, out = run(src, tmp_path, oasst_paths="all", oasst_preferences=True)
    [report] = summary.files
    records = _loads_like_datasets(out / f"{src.stem}.jsonl")
    ends = {r["metadata"]["message_id"]: r for r in records}
    assert sorted(ends) == ["a0", "a1", "c0", "r2"]  # one per root-to-leaf path
    assert _contents(ends["c0"])[-2:] == [
        "Can two processes share memory at all?",
        "Yes, through shared memory segments or mmap.",
    ]
    assert len({r["id"] for r in records}) == 4
    trained = {m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"}
    assert "lol" not in trained and len(trained) == 6  # every reply but the deleted one
    assert report.oasst["kept"] == 6 and report.oasst["pairs_kept"] == 3

    pairs = _loads_like_datasets(tmp_path / "data" / "preferences" / f"{src.stem}.jsonl")
    got = {(p["metadata"]["chosen_message_id"], p["metadata"]["rejected_message_id"]) for p in pairs}
    assert got == {("r0", "r1"), ("r0", "r2"), ("a0", "a1")}
    deep = next(p for p in pairs if p["metadata"]["chosen_message_id"] == "a0")
    assert [m["role"] for m in deep["prompt"]] == ["user", "assistant", "user"]
    assert deep["prompt"][-1]["content"] == "So threads are cheaper to create?"
    assert deep["rejected"] == [{"role": "assistant", "content": "Yes."}]
    assert "ranked the chosen reply 0 and the rejected 1" in deep["metadata"]["evidence"]["detail"]

    # The same data gives the same records whatever the layout, and the same ids on a rerun.
    again, _ = run(src, tmp_path, oasst_paths="all", oasst_preferences=True)
    assert [r["id"] for r in read_jsonl(out / f"{src.stem}.jsonl")] == [r["id"] for r in records]


def test_oasst_layouts_agree(tmp_path, oasst_files):
    out = []
    for src in oasst_files:
        summary = convert_inputs(
            [src], tmp_path / src.stem / "domain", Options(oasst_paths="all", oasst_preferences=True)
        )
        assert summary.files[0].rejected == 0
        records = read_jsonl(tmp_path / src.stem / "domain" / f"{src.stem}.jsonl")
        pairs = read_jsonl(tmp_path / src.stem / "preferences" / f"{src.stem}.jsonl")
        out.append(
            ([r["messages"] for r in records], [(p["prompt"], p["chosen"], p["rejected"]) for p in pairs])
        )
    assert out[0] == out[1]


# --- the validator accepts the marker on converted data only ----------------------------------------


def test_validate_accepts_converted_data_that_ends_on_a_call(tmp_path):
    src = tmp_path / "in"
    write_jsonl(src / "fc" / "weather.jsonl", FUNCTION_CALLING[:5])
    write_jsonl(src / "fc" / "travel.jsonl", DPO)
    convert_inputs([src], tmp_path / "data" / "domain", Options())
    report = validate(ValidateOptions(data_dir=tmp_path / "data", workers=1, near_dup=False))
    assert report.summary["records"] == 8
    assert [f for f in report.findings if f.severity == "error"] == []


def _domain(messages: list[dict], **meta) -> dict:
    return {
        "id": "d1",
        "kind": "domain",
        "category": "weather",
        "tools": WEATHER_TOOLS,
        "metadata": {"source": "test", **meta},
        "messages": messages,
    }


def test_final_call_rule_is_strict_without_the_marker_and_off_converted_data():
    ends_on_call = [
        {"role": "user", "content": "Weather in Oslo?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [_call("c1", "get_current_weather", location="Oslo", format="celsius")],
        },
    ]
    answered = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    assert final_turn(parse_record(_domain(ends_on_call, ends_with_tool_call=True))) is True
    assert final_turn(parse_record(_domain(ends_on_call))) == (
        False,
        "ends with a tool call that has no result",
    )
    ok, why = final_turn(parse_record(_domain(answered, ends_with_tool_call=True)))
    assert not ok and "no conversation ends with a tool call" in why
    reasoning = {
        **_domain(ends_on_call, ends_with_tool_call=True),
        "kind": "reasoning",
        "category": "problem_solving",
    }
    ok, why = final_turn(parse_record(reasoning))
    assert not ok and "for converted data only" in why and "reasoning" in why
    # A generated preference pair (evidence measured here, not a source label) stays strict too.
    pair = {
        "id": "p1",
        "kind": "preference",
        "category": "safety",
        "tools": WEATHER_TOOLS,
        "metadata": {
            "ends_with_tool_call": True,
            "evidence": {"checker": {"chosen": "ok", "rejected": "bad"}},
        },
        "prompt": ends_on_call[:1],
        "chosen": ends_on_call[1:],
        "rejected": [{"role": "assistant", "content": "No idea."}],
    }
    assert final_turn(parse_record(pair))[0] is False
    pair["metadata"]["evidence"] = {"kind": "source_label", "detail": "as labelled"}
    assert final_turn(parse_record(pair)) is True


# --- the summary -----------------------------------------------------------------------------------


def test_summary_fits_80_columns_and_reports_tool_use_reasons_and_oasst(tmp_path):
    root = tmp_path / "public-instruction-data"
    write_jsonl(root / "function_calling" / "openai_fine_tuning" / "weather_train.jsonl", FUNCTION_CALLING)
    write_jsonl(root / "agents" / "traces" / "2024-06" / "support_agent_traces.jsonl", AGENT_TRACES)
    write_jsonl(root / "prefs" / "travel_dpo.jsonl", DPO)
    write_jsonl(root / "oasst" / "2023-11-05_oasst2_ready.trees.jsonl", [OASST_TREE])
    write_jsonl(
        root / "qa" / "faq.jsonl", [{"question": "q?", "answer": ["a"]}, {"question": "r?", "answer": 3}]
    )
    out = tmp_path / "data" / "domain"
    result = CliRunner().invoke(
        app, ["convert", "--input", str(root), "--output", str(out), "--workers", "1"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    text = result.output
    assert str(tmp_path) not in text.split("rows could not be converted")[0]  # paths relative to --input
    assert "…/weather_train.jsonl" in text and "prefs/travel_dpo.jsonl" in text
    joined = " ".join(text.split())  # sentences wrap at 80 columns
    # Tool use per file, and the warning where it shrank.
    assert "tool calls (rows with calls: kept, duplicates, lost to rejects)" in text
    assert "tool use shrank: 1 of 6 rows with tool calls were rejected" in joined
    # Reasons, counted by kind.
    assert "rejected rows by reason" in text
    assert "does not end with an assistant turn (ends with tool)" in joined
    assert "'…' must be a string, got list" in text
    # OASST: what the default kept and dropped, and what the other choices would give.
    assert "OASST replies: kept 2 of 7" in joined and "dropped 5" in joined
    assert "--oasst-paths all would keep 6" in joined
    assert "--oasst-preferences would add 3 preference pairs" in joined

    result = CliRunner().invoke(
        app,
        [
            "convert",
            "--input",
            str(root / "oasst"),
            "--output",
            str(out),
            "--oasst-paths",
            "all",
            "--oasst-preferences",
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    joined = " ".join(result.output.split())
    assert "kept 6 of 7" in joined and "--oasst-paths top would keep 2" in joined
    assert "3 preference pairs written from 2 prompts with ranked replies" in joined
    [prefs] = (tmp_path / "data" / "preferences").glob("*oasst2*.jsonl")
    assert len(read_jsonl(prefs)) == 3

    result = CliRunner().invoke(app, ["convert", "--input", str(root), "--oasst-paths", "some"])
    assert result.exit_code == 2


def test_short_names():
    assert short_name("qa/faq.jsonl") == "qa/faq.jsonl"
    assert short_name("function_calling/openai_fine_tuning/weather_train.jsonl") == "…/weather_train.jsonl"
    assert (
        short_name("agents/traces/2024-06/support.jsonl", width=40) == "agents/traces/2024-06/support.jsonl"
    )
    assert short_name("agents/traces/2024-06/support.jsonl", width=24) == "agents/…/support.jsonl"
    assert short_name("agents/traces/2024-06/support.jsonl", width=30) == "agents/…/2024-06/support.jsonl"
    long = "x/" + "a" * 40 + ".jsonl"
    assert (
        len(short_name(long)) == 32
        and short_name(long).startswith("…")
        and short_name(long).endswith("a.jsonl")
    )


def test_rejected_lines_of_a_converted_file_round_trip(tmp_path):
    """The rejects file keeps every lost row whole, so it can be fixed and converted again."""
    src = write_jsonl(tmp_path / "in" / "weather_fc.jsonl", FUNCTION_CALLING)
    _, out = run(src, tmp_path)
    [reject] = rejects(out)
    assert orjson.loads(reject["raw"]) == FUNCTION_CALLING[5]


def test_oasst_unreadable_reply_is_rejected_only_where_it_is_needed(tmp_path):
    rows = _flatten(OASST_TREE["prompt"])
    bad = next(r for r in rows if r["message_id"] == "r2")
    bad["text"] = ["not", "text"]  # a lower-ranked leaf: not on the best path
    src = write_jsonl(tmp_path / "in" / "oasst_table.jsonl", rows)
    summary, out = run(src, tmp_path)
    assert (summary.files[0].written, summary.files[0].rejected) == (1, 0)
    summary, out = run(src, tmp_path, oasst_paths="all")
    [reject] = rejects(out)
    assert reject["line"] == rows.index(bad) + 1
    assert reject["reason"] == "in the tree rooted at line 1: message r2: 'text' must be a string, got list"
    assert orjson.loads(reject["raw"])["message_id"] == "r2"
    assert summary.files[0].written == 3 and summary.files[0].oasst["kept"] == 5


def test_what_merging_and_reading_openai_lines_notes(tmp_path):
    row = {
        "messages": [
            {
                "role": "user",
                "content": "List the files.",
                "tool_calls": [_call("x", "run_shell", command="ls")],
            },
            {"role": "assistant", "tool_calls": [_call("call_1", "run_shell", command="ls")]},
            {"role": "assistant", "content": "Running ls now.", "weight": 0},
            {"role": "tool", "tool_call_id": "call_1", "content": "a.py b.py"},
            {"role": "assistant", "content": "a.py and b.py."},
        ],
        "tools": AGENT_TOOLS,
    }
    summary, out = run(write_jsonl(tmp_path / "in" / "odd.jsonl", [row]), tmp_path)
    [record] = read_jsonl(out / "odd.jsonl")
    assert record["messages"][0] == {"role": "user", "content": "List the files."}
    assert record["messages"][1]["content"] == "Running ls now."  # a turn's text precedes its calls
    notes = summary.files[0].notes
    assert notes["tool_calls on a user message dropped (only an assistant calls tools)"] == 1
    assert notes["assistant text logged after its own tool call put before the call (one turn)"] == 1
    assert notes["assistant 'weight': 0 ignored (every assistant turn of a record trains)"] == 1
