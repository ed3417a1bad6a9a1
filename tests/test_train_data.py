"""Records -> training tokens: what carries loss, Arrow's null keys, length policy, mixture, errors."""

from __future__ import annotations

import json
import re

import pytest
from train_records import SYSTEM, TOOLS, example_records, preference, trajectory, write_records

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
from agentic_pipeline.train.inspect import (
    CARRIED_OPEN,
    CARRIED_STYLE,
    SHORTENED_STYLE,
    TRUNCATION_MARKER,
    inspect_samples,
    marked_text,
    runs,
    trained_text,
)


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

    # A step longer than max_length because of its tool output: the output is shortened, the step kept.
    report = DataReport()
    data = DataConfig(data_dir=data_dir, max_length=first_step - 1, overlong="split")
    pieces = [s for s in sft_samples(data, tiny_tokenizer, report) if s.record_id == "traj-001"]
    assert report.split_blocks_dropped == 0 and report.observations_shortened >= 1
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    assert trained == expected_assistant_spans(long)
    # The first piece ends at the step's call (its output trains nothing there); the second piece
    # carries the call and the output, shortened, as the evidence its first turn answers.
    assert "bytes dropped ...]" in tiny_tokenizer.decode(pieces[1].input_ids)


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


# --- split pieces carry their evidence ----------------------------------------------------------------


def stepwise(lines: list[int], record_id: str = "steps-000", long_turn: int | None = None) -> dict:
    """A trajectory of tool steps. Step k's assistant turn starts ``Step k:`` and runs ``check --part k``;
    its observation opens with ``obs-k begins``, has ``lines[k]`` lines, and ends with ``obs-k ends``.
    Step ``long_turn``'s assistant text itself is long (a turn no shortening of observations can fit)."""
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Check the {len(lines)} parts and report."},
    ]
    for k, n in enumerate(lines):
        text = f"Step {k}: check part {k}."
        if k == long_turn:
            text += "".join(f" Reason {j} why part {k} matters." for j in range(400))
        messages.append(
            {
                "role": "assistant",
                "content": text,
                "tool_calls": [
                    {
                        "id": f"call_{k}",
                        "type": "function",
                        "function": {"name": "bash", "arguments": {"command": f"check --part {k}"}},
                    }
                ],
            }
        )
        body = "".join(f"part {k} line {j}: value {j * k % 97} ok\n" for j in range(n))
        messages.append(
            {
                "role": "tool",
                "tool_call_id": f"call_{k}",
                "name": "bash",
                "content": f"obs-{k} begins\n{body}obs-{k} ends\n[exit code: 0]",
            }
        )
    messages.append({"role": "assistant", "content": f"Step {len(lines)}: all {len(lines)} parts checked."})
    return {
        "id": record_id,
        "kind": "trajectory",
        "category": "debugging",
        "tools": TOOLS,
        "messages": messages,
        "outcome": {"verified": True, "verifier": "tests", "detail": "all passed"},
    }


def split_pieces(tmp_path, record: dict, max_length: int, tokenizer) -> tuple[list, DataReport]:
    data_dir = write_records(tmp_path / f"data-{max_length}", [record])
    report = DataReport()
    data = DataConfig(data_dir=data_dir, max_length=max_length, overlong="split")
    return sft_samples(data, tokenizer, report), report


def missing_evidence(sample, tokenizer) -> list[str]:
    """What the first trained turn of a piece answers (the previous step's call and its observation's
    first and last lines) but the piece does not show before it."""
    first = sample.assistant_mask.index(1)
    shown = tokenizer.decode(sample.input_ids[:first])
    k = int(re.match(r"Step (\d+):", trained_text(sample.input_ids, sample.assistant_mask, tokenizer)[0])[1])
    if k == 0:
        return []
    needed = (f"Step {k - 1}:", f"check --part {k - 1}", f"obs-{k - 1} begins", f"obs-{k - 1} ends")
    return [f"step {k} answers {what!r}" for what in needed if what not in shown]


LINES = [3, 14, 2, 9, 30, 4, 6, 20, 3, 11, 5, 8]


@pytest.mark.parametrize("max_length", [760, 900, 1300])
def test_no_piece_trains_a_turn_on_evidence_it_does_not_show(tmp_path, tiny_tokenizer, max_length):
    """Before: every piece after the first opened with an assistant turn reacting to a tool result
    left in the previous piece. Now the turn before it is carried along as context."""
    record = stepwise(LINES)
    pieces, report = split_pieces(tmp_path, record, max_length, tiny_tokenizer)
    assert len(pieces) >= 3 and all(len(p.input_ids) <= max_length for p in pieces)
    assert [m for p in pieces for m in missing_evidence(p, tiny_tokenizer)] == []
    # The carried turns are context: every assistant turn is trained in exactly one piece, whole.
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    assert trained == expected_assistant_spans(record["messages"])
    carried = [p for p in pieces if p.context]
    assert len(carried) == len(pieces) - 1 == report.split_pieces_with_context
    for p in carried:  # the marked context range is untrained and holds the previous step's call
        start, end = p.context
        assert not any(p.assistant_mask[start:end])
        assert "check --part" in tiny_tokenizer.decode(p.input_ids[start:end])
    assert report.split_blocks_dropped == report.split_turns_no_room == 0


def test_only_what_does_not_fit_is_shortened(tmp_path, tiny_tokenizer):
    # Every step fits beside its context at full length: split, but no observation is touched.
    pieces, report = split_pieces(tmp_path, stepwise(LINES), 1300, tiny_tokenizer)
    assert len(pieces) >= 2 and report.observations_shortened == 0
    assert not any(TRUNCATION_MARKER.search(tiny_tokenizer.decode(p.input_ids)) for p in pieces)


def test_an_oversize_observation_is_shortened_with_the_marker_not_dropped(tmp_path, tiny_tokenizer):
    """Before: a step whose output alone overflowed max_length was dropped with its turn, and the
    next turn still cited it. Now the output keeps its head and tail around the sandbox's marker."""
    lines = [3, 6, 400, 5, 4]  # step 2's output is several times max_length
    record = stepwise(lines)
    pieces, report = split_pieces(tmp_path, record, 900, tiny_tokenizer)
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    assert trained == expected_assistant_spans(record["messages"])  # step 2 is trained, nothing lost
    assert report.split_blocks_dropped == report.split_turns_no_room == 0
    assert [m for p in pieces for m in missing_evidence(p, tiny_tokenizer)] == []
    texts = [tiny_tokenizer.decode(p.input_ids) for p in pieces]
    # Step 2's piece ends at its call (what follows trains nothing there); the output opens the
    # next piece, as the evidence step 3 answers: cut in the middle, head and tail kept.
    (text,) = [t for t in texts if "obs-2 begins" in t]
    marker = TRUNCATION_MARKER.search(text)
    assert marker and text.index("obs-2 begins") < marker.start() < text.index("obs-2 ends")
    assert "part 2 line 0:" in text and "part 2 line 399:" in text  # head and tail kept
    assert "part 2 line 200:" not in text
    # Cut only as much as needed: the piece comes out within a few tokens of max_length.
    (piece,) = [p for p in pieces if p.shortened]
    assert 900 - 8 <= len(piece.input_ids) <= 900
    # Only step 2's output was cut; the small ones are whole.
    assert report.observations_shortened == 1
    assert all(f"obs-{k} begins\npart {k} line 0" in "".join(texts) for k in (0, 1, 3))


def test_a_turn_too_long_alone_is_left_out_and_so_is_the_turn_that_answers_it(tmp_path, tiny_tokenizer):
    """An assistant turn no shortening of observations can fit is left out (counted); the turn after
    it answers an observation that cannot be shown beside it, so it is not trained either (counted)."""
    record = stepwise([3, 5, 4, 6, 2], long_turn=2)
    pieces, report = split_pieces(tmp_path, record, 900, tiny_tokenizer)
    assert (report.split_blocks_dropped, report.split_turns_no_room) == (1, 1)
    trained = [span for p in pieces for span in trained_text(p.input_ids, p.assistant_mask, tiny_tokenizer)]
    expected = expected_assistant_spans(record["messages"])
    assert trained == expected[:2] + expected[4:]
    assert [m for p in pieces for m in missing_evidence(p, tiny_tokenizer)] == []
    assert "turns too long alone" in "\n".join(report.lines())


def test_inspect_marks_carried_context_and_shortened_output(tmp_path, tiny_tokenizer):
    data_dir = write_records(tmp_path / "data", [stepwise([3, 6, 400, 5, 4])])
    cfg = TrainConfig(
        method="sft", model="tiny", data={"data_dir": data_dir, "max_length": 900, "overlong": "split"}
    )
    items, _ = inspect_samples(cfg, tiny_tokenizer, n=10)
    assert items[0].context == 0 and all(item.context > 0 for item in items[1:])
    assert any("earlier turns as context" in item.title and "shortened" in item.title for item in items)
    shown = next(item.text for item in items if "obs-2 begins" in item.text.plain and item.context)
    plain = shown.plain
    opens = plain.index(CARRIED_OPEN)
    assert opens < plain.index("check --part") < plain.index("[end of carried context]")
    styles = {shown.plain[s.start : s.end]: str(s.style) for s in shown.spans}
    assert any(
        TRUNCATION_MARKER.fullmatch(text) and style == SHORTENED_STYLE for text, style in styles.items()
    )
    assert any("obs-" in text and style == CARRIED_STYLE for text, style in styles.items())
    # The marks come from the sample's own mask: an unsplit sample has no carried context.
    sample = sft_samples(DataConfig(data_dir=data_dir, max_length=16384), tiny_tokenizer)[0]
    assert CARRIED_OPEN not in marked_text(sample.input_ids, sample.assistant_mask, tiny_tokenizer).plain


def test_a_record_the_template_cannot_render_is_named_skipped_and_counted(tmp_path, tiny_tokenizer, caplog):
    bad = trajectory(1)
    bad["messages"][4:4] = [{"role": "assistant"}, {"role": "user", "content": "Go on."}]
    data_dir = write_records(tmp_path / "data", [trajectory(0), bad, trajectory(2)])
    report = DataReport()
    with caplog.at_level("WARNING", logger="agentic_pipeline"):
        samples = sft_samples(DataConfig(data_dir=data_dir, max_length=8192), tiny_tokenizer, report)
    assert [s.record_id for s in samples] == ["traj-000", "traj-002"]
    (message,) = report.template_errors
    assert re.search(
        r"debugging_tasks\.jsonl:2: record 'traj-001' skipped: the chat template failed", message
    )
    assert "messages[4] is an assistant message with neither content nor tool_calls" in message
    assert message in caplog.text and "Traceback" not in caplog.text
    assert any("chat template failed on 1 records" in line for line in report.lines())
    assert report.as_dict()["template_errors"] == [message]

    pref = preference(1)
    pref["chosen"].insert(0, {"role": "assistant"})
    pref["chosen"].insert(1, {"role": "user", "content": "Go on."})
    pref_dir = write_records(tmp_path / "pref", [preference(0), pref])
    report = DataReport()
    pairs = dpo_pairs(DataConfig(data_dir=pref_dir), tiny_tokenizer, report)
    assert [p.record_id for p in pairs] == ["pref-000"]
    assert re.search(
        r"code_quality\.jsonl:2: record 'pref-001' skipped.*chosen\[0\]", report.template_errors[0]
    )

    # When nothing is left, the error says why.
    only_bad = write_records(tmp_path / "only-bad", [bad])
    cfg = TrainConfig(method="sft", model="tiny", data={"data_dir": only_bad})
    with pytest.raises(
        DataError, match=r"no SFT sample .*1 records skipped, the first: .*jsonl:1: record 'traj-001'"
    ):
        build_sft_dataset(cfg, tiny_tokenizer)


def test_split_plan_accounts_for_the_context_a_piece_carries():
    from agentic_pipeline.train.data import plan_split

    # Without context 3 blocks of 500 fit beside a head of 100 in 2000; a piece that starts later
    # also carries the block before it (500), so it holds only 2.
    assert plan_split(100, [500] * 6, 2000)[0] == [(0, 3), (3, 6)]
    context = [0] + [500] * 5
    ranges, skipped = plan_split(100, [500] * 6, 2000, context=context)
    assert skipped == 0 and len(ranges) == 3 and ranges[0][0] == 0 and ranges[-1][1] == 6
    assert all(100 + context[first] + 500 * (last - first) <= 2000 for first, last in ranges)
    # A block too long at full size is placed alone only when marked shrinkable.
    assert plan_split(100, [500, 2500, 500], 2000, context=[0, 500, 2500])[1] == 2
    assert plan_split(100, [500, 2500, 500], 2000, context=[0, 500, 2500], shrinkable=[True] * 3) == (
        [(0, 1), (1, 2), (2, 3)],
        0,
    )
