"""Rendering with the chat template: the assistant mask, by prefix rendering and by the fast path."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from agentic_pipeline import render
from agentic_pipeline.render import (
    TemplateError,
    assistant_spans,
    count_tokens,
    render_conversation,
    render_preference,
    to_template_messages,
)

ROOT = Path(__file__).resolve().parents[1]


def _example(name: str) -> dict:
    return json.loads((ROOT / "schemas" / "examples" / f"{name}.json").read_text())


def _trained_text(r, tok) -> str:
    return tok.decode([i for i, m in zip(r.input_ids, r.assistant_mask, strict=True) if m])


def _expected_assistant_text(messages: list[dict]) -> str:
    parts = []
    for m in messages:
        if m["role"] != "assistant":
            continue
        text = m.get("content") or ""
        for call in m.get("tool_calls") or []:
            fn = call["function"]
            text += (
                f'\n<tool_call>\n{{"name": "{fn["name"]}", "arguments": '
                f"{json.dumps(fn['arguments'], ensure_ascii=False)}}}\n</tool_call>"
            )
        parts.append((text if m.get("content") else text.removeprefix("\n")) + "<|im_end|>")
    return "".join(parts)


def test_trained_tokens_are_exactly_the_assistant_turns(tiny_tokenizer):
    record = _example("trajectory_debugging")
    r = render_conversation(record["messages"], record["tools"], tiny_tokenizer)
    assert len(r.input_ids) == len(r.assistant_mask)
    assert _trained_text(r, tiny_tokenizer) == _expected_assistant_text(record["messages"])


def test_system_user_tool_and_role_headers_carry_no_loss(tiny_tokenizer):
    record = _example("trajectory_debugging")
    r = render_conversation(record["messages"], record["tools"], tiny_tokenizer)
    untrained = tiny_tokenizer.decode(
        [i for i, m in zip(r.input_ids, r.assistant_mask, strict=True) if not m]
    )
    assert "14 passed in 0.05s" in untrained  # a tool observation
    assert "The test suite of ./slugify fails" in untrained  # the user turn
    assert "# Tools" in untrained and "software engineering agent" in untrained  # system and tools
    assert untrained.count("<|im_start|>assistant\n") == sum(
        m["role"] == "assistant" for m in record["messages"]
    )
    # the newline after each <|im_end|> is not trained: every trained run ends with <|im_end|>
    runs, current = [], []
    for i, m in zip(r.input_ids, r.assistant_mask, strict=True):
        if m:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    assert runs and all(tiny_tokenizer.decode(run).endswith("<|im_end|>") for run in runs)


@pytest.mark.parametrize(
    "name", ["trajectory_debugging", "conversation_coding_sessions", "reasoning_problem_solving"]
)
def test_fast_path_equals_generic_prefix_rendering(tiny_tokenizer, name):
    record = _example(name)
    msgs = to_template_messages(record["messages"])
    tools = record.get("tools") or None
    assert render.uses_fast_path(tiny_tokenizer)
    fast = render._spans_qwen2_5(msgs, tools, 0)
    generic = render._spans_by_prefixes(tiny_tokenizer, msgs, tools, 0)
    assert fast == generic


def test_only_empty_assistant_turn_gives_zero_trainable_tokens(tiny_tokenizer):
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]
    r = render_conversation(messages, None, tiny_tokenizer)
    assert sum(r.assistant_mask) == 0
    text, spans = assistant_spans(messages, None, tiny_tokenizer)
    assert count_tokens([(text, spans)], tiny_tokenizer) == [(len(r.input_ids), 0)]


def test_count_tokens_agrees_with_the_mask(tiny_tokenizer):
    for name in ("trajectory_coding", "conversation_coding_sessions", "domain_kubernetes"):
        record = _example(name)
        r = render_conversation(record["messages"], record.get("tools"), tiny_tokenizer)
        item = assistant_spans(record["messages"], record.get("tools"), tiny_tokenizer)
        assert count_tokens([item], tiny_tokenizer) == [(len(r.input_ids), sum(r.assistant_mask))]


def test_preference_trains_only_the_continuations(tiny_tokenizer):
    record = _example("preference_safety")
    chosen, rejected = render_preference(
        record["prompt"], record["chosen"], record["rejected"], record["tools"], tiny_tokenizer
    )
    assert _trained_text(chosen, tiny_tokenizer) == _expected_assistant_text(record["chosen"])
    assert _trained_text(rejected, tiny_tokenizer) == _expected_assistant_text(record["rejected"])
    assert chosen.text.startswith(
        render.assistant_spans(record["prompt"], record["tools"], tiny_tokenizer)[0]
    )


def test_arguments_as_json_strings_render_like_objects(tiny_tokenizer):
    record = _example("trajectory_devops")
    as_strings = json.loads(json.dumps(record))
    for m in as_strings["messages"]:
        for call in m.get("tool_calls") or []:
            call["function"]["arguments"] = json.dumps(call["function"]["arguments"])
    a = render_conversation(record["messages"], record["tools"], tiny_tokenizer)
    b = render_conversation(as_strings["messages"], as_strings["tools"], tiny_tokenizer)
    assert a == b


def test_arrow_null_keys_cannot_reach_text_rendered_from_parsed_json(tiny_tokenizer, tmp_path):
    """Arrow merges dict keys across rows (arguments gain `"path": null`); json.loads does not."""
    records = [_example("trajectory_refactoring"), _example("trajectory_debugging")]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    from_json = json.loads(path.read_text().splitlines()[0])
    text = render_conversation(from_json["messages"], from_json["tools"], tiny_tokenizer).text
    assert "null" not in text  # the record has no null argument, so none may appear
    # What this guards against: the same rows through an Arrow table gain null keys the template prints.
    table = datasets.Dataset.from_list([{"messages": r["messages"]} for r in records])
    arrow_text = render_conversation(table[0]["messages"], from_json["tools"], tiny_tokenizer).text
    assert '"path": null' in arrow_text


def test_a_record_own_null_argument_is_kept(tiny_tokenizer):
    messages = [
        {"role": "user", "content": "Run it"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "bash", "arguments": {"command": "ls", "timeout": None}},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "name": "bash", "content": "a.py"},
        {"role": "assistant", "content": "Done."},
    ]
    assert to_template_messages(messages)[1].get("content", "absent") == "absent"  # None fields dropped
    text = render_conversation(messages, None, tiny_tokenizer).text
    assert '{"command": "ls", "timeout": null}' in text


class _PrefixUnstableTokenizer:
    """A real tokenizer whose template drops earlier assistant turns' text (like reasoning templates)."""

    def __init__(self, tok):
        self._tok = tok
        self.chat_template = (
            "{% for m in messages %}{% if m.role == 'assistant' and not loop.last %}<|im_start|>assistant\n"
            "<|im_end|>\n{% else %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endif %}{% endfor %}"
            "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
        )

    def apply_chat_template(self, messages, **kwargs):
        return self._tok.apply_chat_template(messages, chat_template=self.chat_template, **kwargs)

    def __call__(self, *args, **kwargs):
        return self._tok(*args, **kwargs)


def test_prefix_unstable_template_raises_a_clear_error(tiny_tokenizer):
    messages = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
        {"role": "assistant", "content": "d"},
    ]
    with pytest.raises(TemplateError, match="not prefix-stable"):
        render_conversation(messages, None, _PrefixUnstableTokenizer(tiny_tokenizer))


def test_generic_path_works_for_another_template(tiny_tokenizer):
    class Plain(_PrefixUnstableTokenizer):
        def __init__(self, tok):
            self._tok = tok
            self.chat_template = (
                "{% for m in messages %}[{{ m.role }}]{{ m.content }}<|im_end|>\n{% endfor %}"
                "{% if add_generation_prompt %}[assistant]{% endif %}"
            )

    messages = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
    r = render_conversation(messages, None, Plain(tiny_tokenizer))
    assert r.text == "[user]2+2?<|im_end|>\n[assistant]4<|im_end|>\n"
    assert (
        tiny_tokenizer.decode([i for i, m in zip(r.input_ids, r.assistant_mask, strict=True) if m])
        == "4<|im_end|>"
    )
