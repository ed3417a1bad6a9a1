"""``hf:PATH``: a local transformers checkpoint as the agent's policy (the student acting in the loop).

The checkpoint is the package's tiny Qwen2 model with the tiny tokenizer (Qwen2.5's chat template),
built and saved here; its weights are random, so what it generates is gibberish, which must come
back as text or malformed calls, never an exception. Parsing is checked on fixed strings, and a
scripted generation (the model's ``generate`` answering with fixed text) drives a whole episode
through the real template, the real sandbox and the real verifier.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from test_teachers_episodes import marker_task
from typer.testing import CliRunner

from agentic_pipeline.agent import SYSTEM_PROMPT, RunConfig, run_episode
from agentic_pipeline.generate.trajectories import GenerateConfig, generate
from agentic_pipeline.llm.client import tool_index
from agentic_pipeline.policies.hf_policy import (
    Generation,
    HFPolicy,
    detect_syntax,
    parse_hermes,
)
from agentic_pipeline.render import render_conversation
from agentic_pipeline.tasks.catalog import write_task_file
from agentic_pipeline.teacher import TeacherConfig
from agentic_pipeline.tools import TOOL_SPECS

TOOLS = tool_index(TOOL_SPECS)
EPISODE_STATUSES = {"submitted", "no_tool_call", "step_limit", "time_limit", "token_limit", "format_error"}


def call(name: str, arguments: Any) -> str:
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}) + "\n</tool_call>"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Any) -> Path:
    from agentic_pipeline.tiny import build_tiny_model

    folder = tmp_path_factory.mktemp("tiny-checkpoint")
    build_tiny_model(tiny_tokenizer, out_dir=folder)
    return folder


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))


def conversation() -> list[dict[str, Any]]:
    """A record-format conversation: a call with arguments as an object, its observation."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "Create checked.txt containing the word checked."},
        {
            "role": "assistant",
            "content": "Let me look first.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "bash", "arguments": {"command": "ls"}},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "name": "bash", "content": "README.md\n[exit code: 0]"},
    ]


# --- the parser, on fixed strings ------------------------------------------------------------------


def test_a_well_formed_call_and_the_text_around_it() -> None:
    turn = parse_hermes("I will list the files.\n" + call("bash", {"command": "ls -a"}), TOOLS)
    assert turn.content == "I will list the files."
    assert not turn.malformed and len(turn.calls) == 1
    first = turn.calls[0]
    assert first["type"] == "function" and first["id"].startswith("call_")
    assert first["function"] == {"name": "bash", "arguments": {"command": "ls -a"}}


def test_several_calls_in_one_turn_each_get_their_own_id() -> None:
    text = call("read_file", {"path": "a.py"}) + "\nand\n" + call("bash", {"command": "pytest -q"})
    turn = parse_hermes(text, TOOLS)
    assert [c["function"]["name"] for c in turn.calls] == ["read_file", "bash"]
    assert len({c["id"] for c in turn.calls}) == 2
    assert turn.content == "and" and not turn.malformed


def test_text_only_is_content_and_an_empty_turn_is_none() -> None:
    assert parse_hermes("All done.", TOOLS).content == "All done."
    empty = parse_hermes("\n\n  ", TOOLS)
    assert empty.content is None and not empty.calls and not empty.malformed


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ('{"name": "bash", "arguments": {"command": "ls"}', "bash", "not valid JSON"),
        ('{"name": "rm_rf", "arguments": {}}', "rm_rf", "unknown tool 'rm_rf'"),
        ('{"name": "bash", "arguments": {"command": 3}}', "bash", "fail its schema"),
        ('{"name": "bash", "arguments": {}}', "bash", "fail its schema"),
        ('{"name": "bash", "arguments": "{\\"command\\": "}', "bash", "arguments of bash are not valid JSON"),
        ('["bash"]', "", "must be a JSON object"),
    ],
)
def test_malformed_calls_are_reported_not_raised(body: str, name: str, reason: str) -> None:
    text = "thinking\n<tool_call>\n" + body + "\n</tool_call>\n" + call("bash", {"command": "ls"})
    turn = parse_hermes(text, TOOLS)
    assert len(turn.calls) == 1 and turn.calls[0]["function"]["arguments"] == {"command": "ls"}
    (bad,) = turn.malformed
    assert bad.name == name and reason in bad.reason and bad.call_id.startswith("call_")
    assert turn.content == "thinking"


def test_arguments_written_as_a_json_string_are_accepted() -> None:
    text = '<tool_call>\n{"name": "bash", "arguments": "{\\"command\\": \\"ls\\"}"}\n</tool_call>'
    (parsed,) = parse_hermes(text, TOOLS).calls
    assert parsed["function"]["arguments"] == {"command": "ls"}


def test_an_unclosed_call_at_the_token_limit_is_a_format_error() -> None:
    text = 'Writing it.\n<tool_call>\n{"name": "write_file", "arguments": {"path": "a.py", "content": "def f('
    turn = parse_hermes(text, TOOLS, "the generation reached the limit of 32 new tokens")
    assert not turn.calls and turn.content == "Writing it."
    (bad,) = turn.malformed
    assert bad.name == "write_file"
    assert "never closed with </tool_call>" in bad.reason and "limit of 32 new tokens" in bad.reason


def test_an_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match="the chat template of /ckpt writes tool calls in a syntax this project"
    ):
        detect_syntax("{% for m in messages %}[INST]{{ m.content }}[/INST]{% endfor %}", "/ckpt")


# --- the policy on the tiny checkpoint -------------------------------------------------------------


def test_the_prompt_is_the_templates_render_of_the_record(checkpoint: Path, tiny_tokenizer: Any) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=8)
    messages = conversation()
    prompt = policy.prompt(messages, TOOL_SPECS)
    assert '<tool_call>\n{"name": "bash", "arguments": {"command": "ls"}}\n</tool_call>' in prompt
    assert "<tool_response>\nREADME.md\n[exit code: 0]\n</tool_response>" in prompt
    assert '"name": "edit_file"' in prompt  # the tools, in the template's system turn
    assert prompt.endswith("<|im_start|>assistant\n")
    # What the student sees is what training rendered: the record's text up to the next turn.
    answer = {"role": "assistant", "content": "Done."}
    trained = render_conversation([*messages, answer], TOOL_SPECS, tiny_tokenizer).text
    assert trained.startswith(prompt)


def test_a_turn_with_a_malformed_call_is_shown_as_written(checkpoint: Path) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=8)
    raw = "Trying.\n<tool_call>\n{not json}\n</tool_call>"
    response = policy.to_response(Generation(raw, 10, 5, ""), TOOL_SPECS)
    assert response.message == {"role": "assistant", "content": "Trying."}
    assert response.usage.requests == 1 and response.usage.input_tokens == 10
    (bad,) = response.malformed
    messages = [
        *conversation(),
        response.message,
        {"role": "tool", "tool_call_id": bad.call_id, "name": bad.name, "content": "Error: bad"},
    ]
    assert "<|im_start|>assistant\n" + raw + "<|im_end|>" in policy.prompt(messages, TOOL_SPECS)


@pytest.mark.parametrize("temperature", [None, 1.5])
def test_the_tiny_model_generates_through_act(checkpoint: Path, temperature: float | None) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=12, temperature=temperature)
    response = asyncio.run(policy.act(conversation(), TOOL_SPECS))
    message = response.message
    assert message["role"] == "assistant"
    assert message["content"] is None or isinstance(message["content"], str)
    assert all(c["function"]["name"] in TOOLS for c in message.get("tool_calls", []))
    usage = response.usage
    assert usage.requests == 1 and usage.input_tokens > 500 and 1 <= usage.output_tokens <= 12
    assert usage.cache_read_input_tokens == 0


def scripted(policy: HFPolicy, monkeypatch: pytest.MonkeyPatch, turns: list[str]) -> list[int]:
    """Make the model 'generate' ``turns`` in order (each tokenized as the model would emit it)."""
    import torch

    tok, replies, seen = policy.loaded.tokenizer, iter(turns), []

    def fake_generate(input_ids: Any, max_new_tokens: int, **_: Any) -> Any:
        seen.append(input_ids.shape[1])
        new = tok(next(replies), add_special_tokens=False)["input_ids"][:max_new_tokens]
        return torch.cat([input_ids, torch.tensor([new])], dim=1)

    monkeypatch.setattr(policy.loaded.model, "generate", fake_generate)
    return seen


def test_generation_cut_at_the_limit_inside_a_call_is_malformed(
    checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=10)
    scripted(policy, monkeypatch, [call("write_file", {"path": "a.py", "content": "x = 1\n" * 50})])
    response = asyncio.run(policy.act(conversation(), TOOL_SPECS))
    assert "tool_calls" not in response.message and response.usage.output_tokens == 10
    (bad,) = response.malformed
    assert "never closed" in bad.reason and "limit of 10 new tokens" in bad.reason


def test_a_scripted_student_solves_an_episode_through_the_template(
    checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=200)
    prompts = scripted(
        policy,
        monkeypatch,
        [
            "Let me look.\n" + call("bash", {"command": "ls"}) + "<|im_end|>",
            "<tool_call>\n{oops}\n</tool_call><|im_end|>",
            call("bash", {"command": "echo checked > checked.txt"}) + "<|im_end|>",
            call("finish", {"summary": "Wrote checked.txt."}) + "<|im_end|>",
        ],
    )
    done = asyncio.run(run_episode(marker_task(0), policy, RunConfig(command_timeout_s=20)))
    record = done.model_dump(mode="json")
    assert record["outcome"]["exit_status"] == "submitted" and record["outcome"]["verified"]
    assert record["metadata"]["teacher"] == f"hf:{checkpoint}"
    assert record["metadata"]["format_errors"] == 1 and record["metadata"]["usage"]["requests"] == 4
    assert prompts == sorted(prompts) and len(prompts) == 4  # each prompt holds the one before
    # the record keeps what parsed; the malformed exchange is pruned from a verified record
    names = [c["function"]["name"] for m in record["messages"] for c in m.get("tool_calls") or []]
    assert names == ["bash", "bash", "finish"]


def test_episodes_with_the_real_tiny_model_end_without_crashing(checkpoint: Path) -> None:
    policy = HFPolicy(checkpoint, max_new_tokens=16, temperature=1.5)
    config = RunConfig(max_steps=3, command_timeout_s=20)
    start = time.monotonic()
    records = asyncio.run(_episodes(policy, config, 3))
    minutes = (time.monotonic() - start) / 60
    print(f"\ntiny model on CPU: {len(records) / minutes:.0f} episodes/minute")
    for record in (r.model_dump(mode="json") for r in records):
        outcome, metadata = record["outcome"], record["metadata"]
        assert outcome["exit_status"] in EPISODE_STATUSES, metadata["exit_detail"]
        assert not outcome["verified"]
        assert metadata["usage"]["requests"] == metadata["steps"] >= 1


async def _episodes(policy: HFPolicy, config: RunConfig, n: int) -> list[Any]:
    return await asyncio.gather(*(run_episode(marker_task(i), policy, config) for i in range(n)))


# --- the teacher: hf:PATH for generate trajectories ------------------------------------------------


def test_hf_teacher_is_local_and_drives_the_runner(checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "data"
    spec = TeacherConfig(spec=f"hf:{checkpoint}", max_new_tokens=16)
    assert not spec.paid and spec.model == str(checkpoint)
    with spec.open(out) as opened:
        assert opened.ledger is None
        policy = opened.policy()
        assert isinstance(policy, HFPolicy) and policy.temperature is None and policy.max_new_tokens == 16
        assert opened.dry_run_lines(5) == [
            f"dry run: 5 episodes with hf:{checkpoint}, run here: no paid model calls, $0"
        ]
        config = GenerateConfig(
            count=2,
            categories=["devops"],
            out=out,
            workers=2,
            tasks=[marker_task(n) for n in range(2)],
            run=RunConfig(max_steps=2, command_timeout_s=20),
        )
        (state,) = asyncio.run(generate(config, opened))
    assert state.kept == 0 and state.rejected == 2  # rejection sampling: nothing unverified is kept
    kept = out / "trajectories" / "devops_tasks.jsonl"
    assert not kept.exists() or not kept.read_text().strip()
    rejected = (out / "rejected" / "trajectories" / "devops.jsonl").read_text().splitlines()
    assert {json.loads(line)["metadata"]["teacher"] for line in rejected} == {f"hf:{checkpoint}"}


def test_sampling_options_belong_to_local_teachers(checkpoint: Path) -> None:
    with pytest.raises(ValueError, match="options of a local hf:PATH teacher"):
        TeacherConfig(spec="openai:qwen", temperature=0.7)
    with pytest.raises(ValueError, match="--max-new-tokens 0: expected at least 1"):
        TeacherConfig(spec=f"hf:{checkpoint}", max_new_tokens=0)
    policy = TeacherConfig(spec=f"hf:{checkpoint}", temperature=0.7).open(None).policy()
    assert isinstance(policy, HFPolicy) and policy.temperature == 0.7
    assert policy.max_new_tokens == 1024 and policy.name == f"hf:{checkpoint}"


def test_a_checkpoint_that_cannot_act_is_a_clear_error(checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="there is no checkpoint folder at /does/not/exist"):
        TeacherConfig(spec="hf:/does/not/exist").open(tmp_path)
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        if (checkpoint / name).exists():
            (bare / name).write_bytes((checkpoint / name).read_bytes())
    config = json.loads((bare / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (bare / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="has no chat template"):
        TeacherConfig(spec=f"hf:{bare}").open(tmp_path)
    (bare / "chat_template.jinja").write_text("{% for m in messages %}{{ m.content }}{% endfor %}")
    with pytest.raises(ValueError, match="writes tool calls in a syntax this project does not parse"):
        TeacherConfig(spec=f"hf:{bare}").open(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no model"):
        TeacherConfig(spec=f"hf:{empty}").open(tmp_path)


def test_the_cli_takes_hf_and_exits_2_on_a_missing_checkpoint(checkpoint: Path, tmp_path: Path) -> None:
    from agentic_pipeline.cli import app

    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, [marker_task(0)])
    args = ["generate", "trajectories", "--category", "devops", "--count", "1", "--tasks", str(tasks)]
    result = CliRunner().invoke(app, [*args, "--teacher", "hf:/does/not/exist", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "no checkpoint folder" in result.output
    out = tmp_path / "data"
    hf = ["--teacher", f"hf:{checkpoint}", "--max-new-tokens", "16", "--temperature", "1.5"]
    result = CliRunner().invoke(app, [*args, *hf, "--out", str(out)])
    assert "Traceback" not in result.output, result.output
    assert len((out / "rejected" / "trajectories" / "devops.jsonl").read_text().splitlines()) == 1
