"""Records -> training tokens: what carries loss, Arrow's null keys, length policy, mixture, errors."""

from __future__ import annotations

import json
import re

import pytest
from train_records import example_records, preference, trajectory, write_records

from agentic_pipeline.train.config import DataConfig, TrainConfig
from agentic_pipeline.train.data import (
    DataError,
    DataReport,
    apply_mixture,
    build_dpo_dataset,
    build_sft_dataset,
    dpo_pairs,
    read_records,
    sft_samples,
)
from agentic_pipeline.train.inspect import runs, trained_text


def expected_assistant_spans(messages: list[dict]) -> list[str]:
    """What Qwen2.5's template writes for each assistant turn, built by hand from the record:
    the text, each tool call as <tool_call> JSON, and the end-of-turn token."""
    out = []
    for m in messages:
        if m["role"] != "assistant":
            continue
        parts = [m.get("content") or ""]
        for call in m.get("tool_calls") or []:
            fn = call["function"]
            body = json.dumps({"name": fn["name"], "arguments": fn["arguments"]}, ensure_ascii=False)
            parts.append(f"\n<tool_call>\n{body}\n</tool_call>")
        text = "".join(parts)
        out.append((text[1:] if not m.get("content") and m.get("tool_calls") else text) + "<|im_end|>")
    return out


@pytest.fixture
def examples_dir(tmp_path):
    return write_records(tmp_path / "data", example_records())


def test_trained_tokens_decode_to_exactly_the_assistant_turns(examples_dir, tiny_tokenizer):
    data = DataConfig(data_dir=examples_dir, max_length=8192)
    samples = {s.record_id: s for s in sft_samples(data, tiny_tokenizer)}
    records = {r["id"]: r for r in example_records() if r["kind"] != "preference"}
    assert set(samples) == set(records)
    checked_tool_calls = 0
    for record_id, record in records.items():
        sample = samples[record_id]
        got = trained_text(sample.input_ids, sample.assistant_mask, tiny_tokenizer)
        assert got == expected_assistant_spans(record["messages"]), record_id
        checked_tool_calls += sum(len(m.get("tool_calls") or []) for m in record["messages"])
    assert checked_tool_calls >= 10  # the examples are real multi-turn tool conversations


def test_system_user_and_tool_text_carry_no_loss(examples_dir, tiny_tokenizer):
    data = DataConfig(data_dir=examples_dir, max_length=8192)
    record = next(r for r in example_records() if r["id"].startswith("example-trajectory-debug"))
    sample = next(s for s in sft_samples(data, tiny_tokenizer) if s.record_id == record["id"])
    trained = "".join(trained_text(sample.input_ids, sample.assistant_mask, tiny_tokenizer))
    for m in record["messages"]:
        if m["role"] in ("system", "user", "tool"):
            assert m["content"][:40] not in trained
    assert "<|im_start|>" not in trained  # no role header is trained


def test_no_sample_has_an_empty_mask_and_an_empty_turn_is_an_error(tmp_path, tiny_tokenizer):
    data_dir = write_records(tmp_path / "data", example_records() + [trajectory(i) for i in range(5)])
    samples = sft_samples(DataConfig(data_dir=data_dir, max_length=8192), tiny_tokenizer)
    assert samples and all(any(s.assistant_mask) for s in samples)

    bad = trajectory(99)
    bad["messages"] = bad["messages"][:2] + [{"role": "assistant", "content": ""}]
    bad_dir = write_records(tmp_path / "bad", [trajectory(1), bad])
    with pytest.raises(DataError, match=r"debugging_tasks\.jsonl:2: record 'traj-099'.*empty assistant mask"):
        sft_samples(DataConfig(data_dir=bad_dir), tiny_tokenizer)


def test_arrow_null_keys_cannot_reach_the_rendered_text(tmp_path, tiny_tokenizer):
    """Arrow merges the keys of tool-call arguments across rows; rendering from Arrow rows prints
    `"path": null` into a bash call. Our datasets hold tokens rendered from parsed JSON."""
    from datasets import Dataset

    from agentic_pipeline.render import render_conversation

    records = [trajectory(i) for i in range(4)]
    rows = Dataset.from_list([{"messages": r["messages"], "tools": r["tools"]} for r in records])
    arrow_text = render_conversation(rows[0]["messages"], rows[0]["tools"], tiny_tokenizer).text
    assert re.search(r'"command": "[^"]*", "path": null', arrow_text)  # the trap is real here

    data_dir = write_records(tmp_path / "data", records)
    cfg = TrainConfig(method="sft", model="tiny", data={"data_dir": data_dir, "max_length": 4096})
    dataset, _ = build_sft_dataset(cfg, tiny_tokenizer)
    assert set(dataset.column_names) == {"input_ids", "labels", "seq_lengths"}
    texts = [tiny_tokenizer.decode(row["input_ids"]) for row in dataset]
    assert all(": null" not in text for text in texts)
    joined = "".join(texts)
    for r in records:
        assert render_conversation(r["messages"], r["tools"], tiny_tokenizer).text in joined


def test_dpo_pairs_train_only_the_continuations_assistant_turns(tmp_path, tiny_tokenizer):
    record = preference(0)
    data_dir = write_records(tmp_path / "data", [record])
    (pair,) = dpo_pairs(DataConfig(data_dir=data_dir), tiny_tokenizer)
    chosen = trained_text(pair.chosen.input_ids, pair.chosen.assistant_mask, tiny_tokenizer)
    rejected = trained_text(pair.rejected.input_ids, pair.rejected.assistant_mask, tiny_tokenizer)
    assert chosen == expected_assistant_spans(record["chosen"])
    assert rejected == expected_assistant_spans(record["rejected"])
    assert not any(pair.chosen.assistant_mask[: pair.prompt_len])  # the prompt's own assistant turn: context
    assert "OBSERVATION-MARKER" in pair.chosen.text and "OBSERVATION-MARKER" not in "".join(chosen)
    for side in (pair.chosen, pair.rejected):  # the record's tools reach the model's prompt
        assert '"name": "edit_file"' in side.text.split("\n</tools>")[0]

    dataset, report = build_dpo_dataset(
        TrainConfig(method="dpo", model="tiny", data={"data_dir": data_dir}), tiny_tokenizer
    )
    assert dataset[0]["chosen_input_ids"] == pair.chosen.input_ids and report.samples == 1


def test_overlong_records_are_dropped_or_split_at_turns_and_counted(tmp_path, tiny_tokenizer):
    from agentic_pipeline.render import render_conversation

    records = [trajectory(0, 0), trajectory(1, 60)]
    data_dir = write_records(tmp_path / "data", records)
    long = records[1]["messages"]
    # Room for the head (system, task) and the long first step, not for the whole conversation.
    first_step = len(render_conversation(long[:4], records[1]["tools"], tiny_tokenizer).input_ids)
    limit = first_step + 16

    report = DataReport()
    kept = sft_samples(
        DataConfig(data_dir=data_dir, max_length=limit, overlong="drop"), tiny_tokenizer, report
    )
    assert [s.record_id for s in kept] == ["traj-000"]
    assert (report.overlong_records, report.overlong_dropped) == (1, 1)

    report = DataReport()
    data = DataConfig(data_dir=data_dir, max_length=limit, overlong="split")
    pieces = [s for s in sft_samples(data, tiny_tokenizer, report) if s.record_id == "traj-001"]
    assert len(pieces) >= 2 and report.split_pieces == len(pieces) and report.split_blocks_dropped == 0
    assert all(len(p.input_ids) <= limit for p in pieces)
    texts = [tiny_tokenizer.decode(p.input_ids) for p in pieces]
    assert all(long[1]["content"] in t for t in texts)  # every piece keeps the task
    # Every assistant turn is trained in exactly one piece, whole: nothing cut mid-turn, nothing lost.
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    assert trained == expected_assistant_spans(long)

    # A single step longer than max_length even alone is left out of every piece, and counted.
    report = DataReport()
    data = DataConfig(data_dir=data_dir, max_length=first_step - 1, overlong="split")
    pieces = [s for s in sft_samples(data, tiny_tokenizer, report) if s.record_id == "traj-001"]
    assert report.split_blocks_dropped == 1
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    assert trained == expected_assistant_spans(long)[1:]


def test_mixture_weights_are_deterministic(tmp_path, tiny_tokenizer):
    records = [trajectory(i) for i in range(10)]
    for r in records[5:]:
        r["kind"], r["category"] = "reasoning", "problem_solving"
        del r["outcome"]
    data_dir = write_records(tmp_path / "data", records)
    items = read_records(data_dir, ("trajectory", "reasoning"))
    weights = {"trajectory": 2.0, "reasoning/problem_solving": 0.6}
    mixed = apply_mixture(items, weights, seed=0)
    ids = [it.record["id"] for it in mixed]
    assert sum(i.startswith("traj") and int(i[-3:]) < 5 for i in ids) == 10  # every trajectory twice
    assert len([i for i in ids if int(i[-3:]) >= 5]) == 3  # 0.6 x 5
    assert ids == [it.record["id"] for it in apply_mixture(items, weights, seed=0)]
    assert apply_mixture(items, {"trajectory": 0}, seed=0) == [
        it for it in items if it.group.startswith("reasoning")
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "x", "kind": "trajectory"', r"debugging_tasks\.jsonl:2: not valid JSON"),
        ('{"id": "x", "messages": []}', r"debugging_tasks\.jsonl:2: not a valid trajectory record"),
    ],
)
def test_a_bad_line_names_the_file_and_line(tmp_path, line, expected):
    data_dir = write_records(tmp_path / "data", [trajectory(0)])
    path = data_dir / "trajectories" / "debugging_tasks.jsonl"
    path.write_text(path.read_text() + line + "\n")
    with pytest.raises(DataError, match=expected):
        read_records(data_dir, ("trajectory",))


def test_runs_cover_the_mask():
    assert runs([0, 0, 1, 1, 1, 0, 1]) == [(0, 2, 0), (2, 5, 1), (5, 6, 0), (6, 7, 1)]


def test_split_plan_uses_as_few_pieces_as_greedy_with_equal_sizes():
    from agentic_pipeline.train.data import plan_split

    # head 100 + blocks of 500 in rows of 2000: greedy would cut 3+3+3+1 blocks; balanced cuts 4 pieces too.
    ranges, skipped = plan_split(100, [500] * 10, 2000)
    sizes = [last - first for first, last in ranges]
    assert skipped == 0 and len(ranges) == 4 and sum(sizes) == 10 and max(sizes) - min(sizes) <= 1
    assert [first for first, _ in ranges] == sorted(first for first, _ in ranges)  # in order, contiguous
    assert all(ranges[i][1] == ranges[i + 1][0] for i in range(3))
    # A block too long even beside the head alone is skipped and never bridged over.
    assert plan_split(100, [500, 5000, 500], 2000) == ([(0, 1), (2, 3)], 1)
