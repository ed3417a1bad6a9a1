"""The agent's action space: bash, read_file, write_file, edit_file and finish.

``TOOL_SPECS`` are the JSON-Schema function definitions (OpenAI / Hugging Face format) that go into
a record's ``tools``; ``execute_tool`` runs one call against a ``Sandbox`` and returns a
``ToolResult`` whose ``content`` is the observation the agent sees.

Conventions the agent (and the oracle teacher) can rely on:

- ``bash`` runs ``bash -c`` in the sandbox with the workspace as working directory. The observation
  is the interleaved stdout+stderr, then a last line ``[exit code: N]``. A timeout adds the line
  ``[timed out after S s: the command and everything it started were killed]`` before it (exit
  code 124). Output beyond the sandbox's cap keeps its head and tail around a
  ``[... output truncated: N bytes dropped ...]`` line. A failing command is not a tool error.
- File paths are relative to the workspace; ``/workspace/...`` is accepted too. A path that leaves
  the workspace (``..``, another absolute path, a symlink pointing out) is refused.
- ``read_file`` shows the file with line numbers, ``cat -n`` style (``{n:>6}\\t{line}``), optionally
  only ``start_line``..``end_line`` (1-based, inclusive).
- ``edit_file`` replaces one exact occurrence of ``old_str`` with ``new_str`` and shows the edited
  lines; it refuses when ``old_str`` is absent or occurs more than once (and says how many times).
- ``finish`` ends the episode with a summary (``ToolResult.finished``).

Agent mistakes (unknown tool, bad or missing arguments, missing file, non-unique edit) never raise:
they come back as ``ToolResult(is_error=True)`` with a message that says what was expected. The file
tools run on the host side on the workspace folder; they are safe because no sandboxed process
outlives its command, so nothing can swap a path under them between the check and the use.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from agentic_pipeline.sandbox import WORKDIR, ExecResult, Sandbox, truncate_text

_EDIT_CONTEXT_LINES = 3


def _spec(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


_PATH = {"type": "string", "description": "Path relative to the workspace (or absolute under /workspace)."}

TOOL_SPECS: list[dict[str, Any]] = [
    _spec(
        "bash",
        "Run a shell command with bash in the workspace (no network; only the workspace persists between "
        "calls; background processes are killed when the command ends). Returns its combined stdout and "
        "stderr followed by a line `[exit code: N]`.",
        {
            "command": {"type": "string", "description": "The command line, run with `bash -c`."},
            "timeout": {"type": "number", "description": "Seconds before the command is killed (optional)."},
        },
        ["command"],
    ),
    _spec(
        "read_file",
        "Show a text file with line numbers, optionally only the lines start_line..end_line (1-based).",
        {
            "path": _PATH,
            "start_line": {"type": "integer", "description": "First line to show (1-based, optional)."},
            "end_line": {"type": "integer", "description": "Last line to show, inclusive (optional)."},
        },
        ["path"],
    ),
    _spec(
        "write_file",
        "Create or overwrite a file with the given content (parent folders are created).",
        {"path": _PATH, "content": {"type": "string", "description": "The whole new content of the file."}},
        ["path", "content"],
    ),
    _spec(
        "edit_file",
        "Replace one exact occurrence of old_str in a file with new_str. old_str must occur exactly once: "
        "include enough surrounding lines to make it unique. Whitespace and indentation must match.",
        {
            "path": _PATH,
            "old_str": {
                "type": "string",
                "description": "The exact text to replace (must be unique in the file).",
            },
            "new_str": {"type": "string", "description": "The text to put in its place."},
        },
        ["path", "old_str", "new_str"],
    ),
    _spec(
        "finish",
        "End the task: call this once the work is done and checked, with a short summary of what was changed.",
        {"summary": {"type": "string", "description": "What was done and how it was checked."}},
        ["summary"],
    ),
]

_SCHEMAS = {spec["function"]["name"]: spec["function"]["parameters"] for spec in TOOL_SPECS}
_JSON_TYPES = {"string": str, "integer": int, "number": (int, float)}


@dataclass
class ToolResult:
    """An observation. ``is_error``: the call itself was wrong (not: the command failed).
    ``finished``: the agent called ``finish``."""

    content: str
    is_error: bool = False
    finished: bool = False


class ToolError(Exception):
    """An agent mistake; becomes an ``is_error`` observation."""


# ---------------------------------------------------------------------------------------------
# Arguments and paths


def _check_arguments(name: str, arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            raise ToolError(f"arguments of {name} are not valid JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise ToolError(f"arguments of {name} must be a JSON object, got {type(arguments).__name__}")
    schema = _SCHEMAS[name]
    expected = ", ".join(f"{key} ({prop['type']})" for key, prop in schema["properties"].items())
    unknown = sorted(set(arguments) - set(schema["properties"]))
    if unknown:
        raise ToolError(f"{name} got unexpected argument(s) {', '.join(unknown)}; it takes: {expected}")
    missing = [key for key in schema["required"] if key not in arguments]
    if missing:
        raise ToolError(f"{name} is missing required argument(s) {', '.join(missing)}; it takes: {expected}")
    for key, value in arguments.items():
        want = schema["properties"][key]["type"]
        if value is None and key not in schema["required"]:
            continue
        if not isinstance(value, _JSON_TYPES[want]) or isinstance(value, bool):
            raise ToolError(f"{name}: argument {key} must be a {want}, got {type(value).__name__}")
    return {key: value for key, value in arguments.items() if value is not None}


def resolve_path(sandbox: Sandbox, raw: str) -> Path:
    """The host path of a workspace path given by the agent; ``ToolError`` if it leaves the workspace."""
    if not raw.strip():
        raise ToolError("path is empty")
    root = sandbox.workspace
    path = PurePosixPath(raw)
    if path.is_absolute():
        for base in (PurePosixPath(WORKDIR), PurePosixPath(str(root))):
            if path == base or path.is_relative_to(base):
                path = path.relative_to(base)
                break
        else:
            raise ToolError(f"{raw} is outside the workspace; use a path relative to {sandbox.workdir}")
    resolved = (root / path).resolve()  # follows symlinks, so a link pointing out is caught here
    if resolved != root and not resolved.is_relative_to(root):
        raise ToolError(
            f"{raw} resolves outside the workspace; only files under {sandbox.workdir} can be used"
        )
    return resolved


def _display(sandbox: Sandbox, path: Path) -> str:
    return str(path.relative_to(sandbox.workspace)) if path != sandbox.workspace else "."


def _numbered(lines: list[str], first: int) -> str:
    return "\n".join(f"{n:>6}\t{line}" for n, line in enumerate(lines, start=first))


def _read_text(sandbox: Sandbox, path: Path, raw: str) -> str:
    if not path.exists():
        raise ToolError(f"{raw}: no such file")
    if path.is_dir():
        raise ToolError(f"{raw} is a directory; list it with bash, e.g. `ls {raw}`")
    size = path.stat().st_size
    if size > sandbox.limits.max_file_mb * 1024 * 1024:
        raise ToolError(
            f"{raw} is {size} bytes, too big to show; look at parts of it with bash (head, sed -n)"
        )
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise ToolError(f"{raw} looks like a binary file ({len(data)} bytes); inspect it with bash")
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# The tools


def _bash(sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
    timeout = args.get("timeout")
    if timeout is not None and timeout <= 0:
        raise ToolError("bash: timeout must be a positive number of seconds")
    # The agent may ask for less time than the sandbox allows, never more.
    limit = min(timeout, sandbox.limits.timeout_s) if timeout else sandbox.limits.timeout_s
    return ToolResult(_format_exec(sandbox.run(args["command"], timeout=limit), limit))


def _format_exec(result: ExecResult, timeout: float) -> str:
    text = result.output
    if text and not text.endswith("\n"):
        text += "\n"
    if result.timed_out:
        text += f"[timed out after {timeout:g} s: the command and everything it started were killed]\n"
    return f"{text}[exit code: {result.exit_code}]"


def _read_file(sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
    path = resolve_path(sandbox, args["path"])
    lines = _read_text(sandbox, path, args["path"]).splitlines()
    if not lines:
        return ToolResult(f"{args['path']} is empty")
    start = args.get("start_line", 1)
    end = args.get("end_line", max(start, len(lines)))
    if start < 1 or end < start:
        raise ToolError(
            f"read_file: need 1 <= start_line <= end_line, got start_line={start}, end_line={end}"
        )
    if start > len(lines):
        raise ToolError(
            f"read_file: {args['path']} has {len(lines)} lines; start_line={start} is past the end"
        )
    shown = _numbered(lines[start - 1 : end], start)
    text, _ = truncate_text(shown, sandbox.limits.max_output_bytes)
    return ToolResult(text)


def _write_file(sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
    path = resolve_path(sandbox, args["path"])
    data = args["content"].encode("utf-8")
    if len(data) > sandbox.limits.max_file_mb * 1024 * 1024:
        raise ToolError(
            f"write_file: content is {len(data)} bytes, over the {sandbox.limits.max_file_mb} MB cap"
        )
    if path.is_dir():
        raise ToolError(f"{args['path']} is a directory")
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    verb = "Overwrote" if existed else "Created"
    lines = args["content"].count("\n") + (not args["content"].endswith("\n") and bool(args["content"]))
    return ToolResult(f"{verb} {_display(sandbox, path)} ({len(data)} bytes, {lines} lines)")


def _edit_file(sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
    raw, old, new = args["path"], args["old_str"], args["new_str"]
    path = resolve_path(sandbox, raw)
    text = _read_text(sandbox, path, raw)
    if not old:
        raise ToolError("edit_file: old_str is empty; to create or overwrite a file use write_file")
    count = text.count(old)
    if count == 0:
        raise ToolError(f"edit_file: old_str was not found in {raw}; read the file and copy the text exactly")
    if count > 1:
        raise ToolError(
            f"edit_file: old_str occurs {count} times in {raw}; include more lines to make it unique"
        )
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    first = text.count("\n", 0, at) + 1
    last = first + new.count("\n")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    lo, hi = max(1, first - _EDIT_CONTEXT_LINES), min(len(lines), last + _EDIT_CONTEXT_LINES)
    snippet = _numbered(lines[lo - 1 : hi], lo)
    return ToolResult(f"Edited {_display(sandbox, path)}: lines {lo}-{hi} now read:\n{snippet}")


def _finish(sandbox: Sandbox, args: dict[str, Any]) -> ToolResult:
    return ToolResult(f"Finished: {args['summary']}", finished=True)


_TOOLS = {
    "bash": _bash,
    "read_file": _read_file,
    "write_file": _write_file,
    "edit_file": _edit_file,
    "finish": _finish,
}


def execute_tool(sandbox: Sandbox, name: str, arguments: dict[str, Any] | str) -> ToolResult:
    """Run one tool call; an agent mistake is returned as ``is_error=True``, never raised."""
    if name not in _TOOLS:
        return ToolResult(f"unknown tool {name!r}; available tools: {', '.join(_TOOLS)}", is_error=True)
    try:
        return _TOOLS[name](sandbox, _check_arguments(name, arguments))
    except ToolError as exc:
        return ToolResult(str(exc), is_error=True)
    except OSError as exc:  # e.g. permission denied, a name too long; strerror keeps host paths out
        return ToolResult(f"{name} failed: {exc.strerror or type(exc).__name__}", is_error=True)
    except ValueError as exc:  # e.g. a NUL byte in a path, text that cannot be encoded
        return ToolResult(f"{name} failed: {exc}", is_error=True)


async def aexecute_tool(sandbox: Sandbox, name: str, arguments: dict[str, Any] | str) -> ToolResult:
    """``execute_tool`` in a worker thread, for asyncio runners."""
    return await asyncio.to_thread(execute_tool, sandbox, name, arguments)
