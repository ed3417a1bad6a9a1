"""``agentic convert --expand`` with a teacher: executable how-tos become verified trajectories.

Driven through the real CLI, against a local server speaking the Anthropic / OpenAI protocols
(tests/teacher_server.py): its ``text_reply`` answers the expansion request with a scripted JSON
reply (the rewrite and, for executable questions, a task spec), and its scripted solver then plays
the episode in the real sandbox. The verifier, not the solver, decides what is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from teacher_server import TeacherServer
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.convert.task_spec import SpecError, build_task, parse_spec

GREETING = "How do I write a file with a greeting?"
DATABASE = "How do I choose a database for a small team?"
GREET_TASK = {
    "instruction": "Create greet.txt in the workspace containing the single line hello.",
    "category": "devops",
    "files": {"README.md": "A workspace for greetings.\n"},
    "check": "grep -qx hello greet.txt",
}
DOES_THE_WORK = ("ls -a", "echo hello > greet.txt && cat greet.txt")
DOES_NOTHING = ("ls -a", "echo 'nothing to do'")
CLAUDE = "anthropic:claude-sonnet-5-5"
GPT = "openai:gpt-test"


def reply(question: str, task: dict | None) -> str:
    return json.dumps(
        {
            "instruction": question.removeprefix("How do I ").rstrip("?").capitalize() + ".",
            "reasoning": "Decide what the result must look like, then produce it and check it.",
            "answer": "Here is how it is done.",
            "executable": task is not None,
            "task": task,
        }
    )


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-EXPANDTEST-0123456789")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-EXPANDTEST-0123456789")


def how_tos(tmp_path: Path, questions: list[str]) -> Path:
    root = tmp_path / "data_in"
    (root / "shell").mkdir(parents=True)
    rows = [{"question": q, "answer": "Use the shell: echo hello > greet.txt"} for q in questions]
    (root / "shell" / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def expand(inputs: Path, data: Path, teacher: str, server: TeacherServer) -> tuple[int, str]:
    base = server.url + ("/v1" if teacher.startswith("openai") else "")
    args = ["convert", "--input", str(inputs), "--output", str(data / "domain"), "--expand"]
    result = CliRunner().invoke(
        app, [*args, "--teacher", teacher, "--base-url", base], env={"COLUMNS": "400"}
    )
    return result.exit_code, result.output


def test_executable_how_to_becomes_a_verified_trajectory_and_a_rerun_asks_nothing(tmp_path: Path) -> None:
    inputs, data = how_tos(tmp_path, [GREETING, DATABASE]), tmp_path / "data"
    with TeacherServer() as server:
        server.state.commands = DOES_THE_WORK
        server.state.text_reply = lambda text: (
            reply(GREETING, GREET_TASK) if GREETING in text else reply(DATABASE, None)
        )
        code, out = expand(inputs, data, CLAUDE, server)
        assert code == 0, out
        asked = len(server.state.requests_seen)
        assert asked == 2 + 3  # two expansion requests, three episode steps (look, write, finish)
        assert "2 of 2 how-to examples expanded" in out
        assert "1 executable as tasks: 1 verified trajectories" in out

        [traj] = read_jsonl(data / "trajectories" / "devops_tasks.jsonl")
        domain = read_jsonl(data / "domain" / "shell.jsonl")
        source = next(r for r in domain if r["messages"][0]["content"] == GREETING)
        assert traj["outcome"]["verified"] is True and traj["outcome"]["exit_status"] == "submitted"
        assert traj["metadata"]["expanded_from"] == source["id"]
        assert traj["metadata"]["source"].endswith("qa.jsonl:1")
        assert traj["metadata"]["task_spec"]["check"] == GREET_TASK["check"]
        assert traj["metadata"]["teacher"] == CLAUDE
        assert traj["messages"][1] == {"role": "user", "content": GREET_TASK["instruction"]}
        observations = [m["content"] for m in traj["messages"] if m["role"] == "tool"]
        assert "README.md" in observations[0] and "hello" in observations[1]  # from the sandbox
        rewrites = [r for r in domain if "expanded_from" in r["metadata"]]
        assert len(rewrites) == 2  # the executable one keeps its single-turn rewrite too

        valid = CliRunner().invoke(app, ["validate", "--data-dir", str(data)])
        assert valid.exit_code == 0, valid.output

        code, out = expand(inputs, data, CLAUDE, server)
        assert code == 0, out
        assert len(server.state.requests_seen) == asked  # cached reply, episode already written
        assert "1 done by an earlier run" in out
    assert len(read_jsonl(data / "trajectories" / "devops_tasks.jsonl")) == 1
    assert (
        len([r for r in read_jsonl(data / "domain" / "shell.jsonl") if "expanded_from" in r["metadata"]]) == 2
    )


def test_a_check_that_passes_before_any_work_is_not_a_task(tmp_path: Path) -> None:
    inputs, data = how_tos(tmp_path, [GREETING]), tmp_path / "data"
    already_done = {**GREET_TASK, "files": {"greet.txt": "hello\n"}}
    with TeacherServer() as server:
        server.state.commands = DOES_THE_WORK
        server.state.text_reply = lambda text: reply(GREETING, already_done)
        code, out = expand(inputs, data, GPT, server)
        assert code == 0, out
        assert len(server.state.requests_seen) == 1  # the expansion; no episode was run
    [reject] = read_jsonl(data / "domain" / "rejected" / "convert.jsonl")
    assert reject["reason"] == "task spec: check passes before any work" and reject["line"] == 1
    assert not (data / "trajectories").exists() and not (data / "rejected").exists()


def test_an_episode_that_does_not_do_the_work_is_rejected(tmp_path: Path) -> None:
    inputs, data = how_tos(tmp_path, [GREETING]), tmp_path / "data"
    with TeacherServer() as server:
        server.state.commands = DOES_NOTHING
        server.state.text_reply = lambda text: reply(GREETING, GREET_TASK)
        code, out = expand(inputs, data, GPT, server)
        assert code == 0, out
        assert "0 verified trajectories" in out and "1 failed verification" in out
        asked = len(server.state.requests_seen)
        code, out = expand(inputs, data, GPT, server)  # a task's own failure is not run again
        assert code == 0 and len(server.state.requests_seen) == asked
    assert not (data / "trajectories" / "devops_tasks.jsonl").exists()
    [rejected] = read_jsonl(data / "rejected" / "trajectories" / "devops.jsonl")
    assert rejected["outcome"]["verified"] is False
    assert "check task check failed" in rejected["metadata"]["rejected_reason"]
    assert rejected["metadata"]["task_spec"]["instruction"] == GREET_TASK["instruction"]


def test_paths_outside_the_workspace_are_refused(tmp_path: Path) -> None:
    escape, absolute = "How do I escape the workspace?", "How do I write to /tmp?"
    inputs, data = how_tos(tmp_path, [escape, absolute]), tmp_path / "data"
    specs = {
        escape: {**GREET_TASK, "files": {"../escaped.txt": "out\n"}},
        absolute: {**GREET_TASK, "files": {str(tmp_path / "absolute.txt"): "out\n"}},
    }
    with TeacherServer() as server:
        server.state.text_reply = lambda text: next(reply(q, s) for q, s in specs.items() if q in text)
        code, out = expand(inputs, data, GPT, server)
        assert code == 0, out
        assert len(server.state.requests_seen) == 2  # no episode
    reasons = sorted(r["reason"] for r in read_jsonl(data / "domain" / "rejected" / "convert.jsonl"))
    assert "leaves the workspace (..)" in reasons[0] and "is absolute" in reasons[1]
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "absolute.txt").exists()
    assert not (data / "trajectories").exists()


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        ({**GREET_TASK, "check": "  "}, "'check' must be a non-empty string"),
        ({**GREET_TASK, "files": {"a/../../b": "x"}}, "leaves the workspace"),
        ({**GREET_TASK, "files": {"~/x": "x"}}, "is absolute"),
        ({**GREET_TASK, "files": {"a": "x", "a/b": "y"}}, "both a file and the folder"),
        ({**GREET_TASK, "files": {"big": "x" * 40_000}}, "more than 32000"),
        ({**GREET_TASK, "files": {"a": 1}}, "must be a string"),
        ({**GREET_TASK, "category": "cooking"}, "is not one of"),
        ({**GREET_TASK, "pinned": ["missing.py"]}, "'pinned' must list paths"),
        ({**GREET_TASK, "setup": "curl x | sh"}, "unexpected keys 'setup'"),
        ("do it", "must be an object"),
    ],
)
def test_spec_parsing_is_strict(task: object, reason: str) -> None:
    with pytest.raises(SpecError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_spec(task)


def test_the_check_lives_in_the_verifier_and_pinned_files_are_restored() -> None:
    spec = parse_spec(
        {
            "instruction": "Make add() in calc.py return the sum.",
            "files": {"calc.py": "def add(a, b):\n    return a - b\n", "test_calc.py": "import calc\n"},
            "pinned": ["test_calc.py"],
            "check": "python3 test_calc.py",
        }
    )
    task = build_task(spec, "qa.jsonl:3")
    assert task.family == "coding" and task.id == build_task(spec, "other.jsonl:9").id
    assert [c.cmd for c in task.verifier.checks] == ["python3 test_calc.py"]
    assert task.verifier.pinned == {"test_calc.py": "import calc\n"}
