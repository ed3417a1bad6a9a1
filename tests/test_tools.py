"""The agent's tools against a real sandbox and real files: results, and agent mistakes as observations."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from agentic_pipeline.sandbox import Limits, Sandbox, SandboxUnavailable, check_bwrap
from agentic_pipeline.tools import TOOL_SPECS, ToolResult, aexecute_tool, execute_tool

try:
    check_bwrap()
    BWRAP_REASON = ""
except SandboxUnavailable as exc:
    BWRAP_REASON = str(exc)

pytestmark = pytest.mark.skipif(bool(BWRAP_REASON), reason=f"bwrap sandbox unavailable: {BWRAP_REASON}")

SOURCE = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "calc.py").write_text(SOURCE)
    return ws


@pytest.fixture
def sb(workspace: Path) -> Sandbox:
    return Sandbox(workspace, Limits(timeout_s=10))


def run(sb: Sandbox, name: str, **arguments) -> ToolResult:
    return execute_tool(sb, name, arguments)


def test_specs_are_valid_function_definitions() -> None:
    names = [spec["function"]["name"] for spec in TOOL_SPECS]
    assert names == ["bash", "read_file", "write_file", "edit_file", "finish"]
    for spec in TOOL_SPECS:
        assert spec["type"] == "function"
        params = spec["function"]["parameters"]
        jsonschema.Draft202012Validator.check_schema(params)
        assert set(params["required"]) <= set(params["properties"])
        assert spec["function"]["description"]
    json.dumps(TOOL_SPECS)  # goes into records as is


def test_bash_reports_output_and_exit_code(sb: Sandbox) -> None:
    result = run(sb, "bash", command="echo out; echo err >&2; exit 1")
    assert result == ToolResult("out\nerr\n[exit code: 1]")
    assert run(sb, "bash", command="true").content == "[exit code: 0]"
    assert run(sb, "bash", command="printf no-newline").content == "no-newline\n[exit code: 0]"


def test_bash_timeout_is_an_observation(sb: Sandbox) -> None:
    result = run(sb, "bash", command="echo partial; sleep 20", timeout=1)
    assert not result.is_error
    assert result.content == (
        "partial\n[timed out after 1 s: the command and everything it started were killed]\n[exit code: 124]"
    )


def test_bash_timeout_cannot_exceed_the_sandbox_limit(workspace: Path) -> None:
    short = Sandbox(workspace, Limits(timeout_s=1))
    result = run(short, "bash", command="sleep 20", timeout=600)
    assert "[timed out after 1 s" in result.content


def test_read_file_numbers_lines_and_takes_a_range(sb: Sandbox) -> None:
    full = run(sb, "read_file", path="pkg/calc.py")
    assert full.content.splitlines()[:2] == ["     1\tdef add(a, b):", "     2\t    return a - b"]
    assert len(full.content.splitlines()) == 6
    part = run(sb, "read_file", path="/workspace/pkg/calc.py", start_line=5, end_line=6)
    assert part.content == "     5\tdef sub(a, b):\n     6\t    return a - b"
    past = run(sb, "read_file", path="pkg/calc.py", start_line=50)
    assert past.is_error and "has 6 lines" in past.content


def test_read_file_errors_are_observations(sb: Sandbox, workspace: Path) -> None:
    assert run(sb, "read_file", path="nope.py") == ToolResult("nope.py: no such file", is_error=True)
    folder = run(sb, "read_file", path="pkg")
    assert folder.is_error and "is a directory" in folder.content
    (workspace / "blob.bin").write_bytes(b"\x00\x01\x02" * 10)
    assert "binary" in run(sb, "read_file", path="blob.bin").content
    bad_range = run(sb, "read_file", path="pkg/calc.py", start_line=4, end_line=2)
    assert bad_range.is_error


def test_write_file_creates_and_the_sandbox_sees_it(sb: Sandbox, workspace: Path) -> None:
    result = run(sb, "write_file", path="new/dir/hello.py", content="print('hi')\n")
    assert result == ToolResult("Created new/dir/hello.py (12 bytes, 1 lines)")
    assert (workspace / "new" / "dir" / "hello.py").read_text() == "print('hi')\n"
    assert run(sb, "bash", command="python new/dir/hello.py").content == "hi\n[exit code: 0]"
    again = run(sb, "write_file", path="new/dir/hello.py", content="")
    assert again.content.startswith("Overwrote")


def test_edit_file_replaces_exactly_one_occurrence(sb: Sandbox, workspace: Path) -> None:
    result = run(
        sb,
        "edit_file",
        path="pkg/calc.py",
        old_str="def add(a, b):\n    return a - b",
        new_str="def add(a, b):\n    return a + b",
    )
    assert not result.is_error, result.content
    assert result.content.startswith(
        "Edited pkg/calc.py: lines 1-5 now read:\n     1\tdef add(a, b):\n     2\t    return a + b"
    )
    assert (workspace / "pkg" / "calc.py").read_text() == SOURCE.replace("a - b", "a + b", 1)
    check = run(sb, "bash", command="python -c 'from pkg.calc import add, sub; print(add(2, 3), sub(2, 3))'")
    assert check.content == "5 -1\n[exit code: 0]"


def test_edit_file_refuses_missing_or_ambiguous_text(sb: Sandbox, workspace: Path) -> None:
    ambiguous = run(sb, "edit_file", path="pkg/calc.py", old_str="return a - b", new_str="return a + b")
    assert ambiguous.is_error
    assert "occurs 2 times" in ambiguous.content
    missing = run(sb, "edit_file", path="pkg/calc.py", old_str="return a * b", new_str="x")
    assert missing.is_error and "not found" in missing.content
    empty = run(sb, "edit_file", path="pkg/calc.py", old_str="", new_str="x")
    assert empty.is_error
    assert (workspace / "pkg" / "calc.py").read_text() == SOURCE


def test_paths_cannot_leave_the_workspace(sb: Sandbox, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("host secret\n")
    (workspace / "link.txt").symlink_to(outside)
    (workspace / "linkdir").symlink_to(tmp_path)
    attempts = [
        ("read_file", {"path": "../outside.txt"}),
        ("read_file", {"path": "/etc/passwd"}),
        ("read_file", {"path": "/workspace/../etc/passwd"}),
        ("read_file", {"path": "link.txt"}),
        ("read_file", {"path": "linkdir/outside.txt"}),
        ("write_file", {"path": "link.txt", "content": "owned\n"}),
        ("write_file", {"path": "../escaped.txt", "content": "owned\n"}),
        ("edit_file", {"path": "link.txt", "old_str": "host", "new_str": "owned"}),
    ]
    for name, arguments in attempts:
        result = execute_tool(sb, name, arguments)
        assert result.is_error, (name, arguments, result)
        assert "outside the workspace" in result.content
        assert "host secret" not in result.content
    assert outside.read_text() == "host secret\n"
    assert not (tmp_path / "escaped.txt").exists()
    (workspace / "inner_link.py").symlink_to(workspace / "pkg" / "calc.py")
    assert not run(sb, "read_file", path="inner_link.py").is_error  # a link that stays inside is fine


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("rm_rf", {"path": "."}, "unknown tool 'rm_rf'"),
        ("bash", {}, "missing required argument(s) command"),
        ("bash", {"command": ["ls"]}, "argument command must be a string"),
        ("bash", {"command": "ls", "cwd": "/"}, "unexpected argument(s) cwd"),
        ("bash", {"command": "ls", "timeout": -1}, "timeout must be a positive"),
        ("read_file", {"path": "pkg/calc.py", "start_line": "1"}, "start_line must be a integer"),
        ("read_file", {"path": ""}, "path is empty"),
        ("read_file", {"path": "a\x00b"}, "read_file failed: embedded null byte"),
        ("write_file", {"path": "x" * 300, "content": ""}, "write_file failed: File name too long"),
        ("write_file", {"path": "a.txt"}, "missing required argument(s) content"),
        ("finish", "{not json", "not valid JSON"),
        ("finish", ["summary"], "must be a JSON object"),
    ],
)
def test_agent_mistakes_are_error_observations(sb: Sandbox, name: str, arguments, expected: str) -> None:
    result = execute_tool(sb, name, arguments)
    assert result.is_error and not result.finished
    assert expected in result.content


def test_json_string_arguments_and_finish(sb: Sandbox) -> None:
    result = execute_tool(sb, "bash", json.dumps({"command": "echo ok"}))
    assert result.content == "ok\n[exit code: 0]"
    done = execute_tool(sb, "finish", {"summary": "Fixed add()."})
    assert done == ToolResult("Finished: Fixed add().", finished=True)


def test_async_tools(sb: Sandbox) -> None:
    async def both() -> list[ToolResult]:
        return await asyncio.gather(
            aexecute_tool(sb, "bash", {"command": "echo one"}),
            aexecute_tool(sb, "read_file", {"path": "pkg/calc.py"}),
        )

    first, second = asyncio.run(both())
    assert first.content == "one\n[exit code: 0]"
    assert second.content.startswith("     1\tdef add")
