"""``agentic sandbox run`` and ``agentic sandbox check``: the agent's sandbox, by hand.

agentic sandbox run --workspace ./proj --timeout 30 -- python -m pytest -q
agentic sandbox run --workspace ./proj -- 'echo hi > out.txt && cat out.txt'
agentic sandbox check
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from agentic_pipeline.commands import sandbox_app


@sandbox_app.command(
    "run",
    context_settings={"allow_interspersed_args": False},
)
def run(
    command: list[str] = typer.Argument(
        ...,
        help="The command, after `--`. One argument is run with `bash -c` (as the agent's bash tool does); "
        "several are run as an argument vector.",
    ),
    workspace: Path = typer.Option(
        ...,
        "--workspace",
        "-w",
        help="Folder mounted writable at /workspace; what the command writes there stays.",
    ),
    timeout: float = typer.Option(
        60.0, "--timeout", help="Seconds before the command and its children are killed."
    ),
    memory_mb: int = typer.Option(2048, "--memory-mb", help="Address-space cap of the command, in MiB."),
    max_output: int = typer.Option(
        32_000, "--max-output", help="Bytes of output kept (head and tail) before cutting."
    ),
    unsafe_subprocess: bool = typer.Option(
        False,
        "--unsafe-subprocess",
        help="Run without bubblewrap, with NO isolation (only for machines without user namespaces).",
    ),
) -> None:
    """Run one command in the sandbox the way the agent's tools do; exit with the command's exit code."""
    from agentic_pipeline.sandbox import Limits, Sandbox, SandboxUnavailable

    if not workspace.is_dir():
        typer.echo(
            f"error: --workspace {workspace}: no such folder (expected an existing directory)", err=True
        )
        raise typer.Exit(2)
    limits = Limits(timeout_s=timeout, memory_mb=memory_mb, max_output_bytes=max_output)
    try:
        sandbox = Sandbox(workspace, limits, backend="subprocess" if unsafe_subprocess else "bwrap")
    except SandboxUnavailable as exc:
        typer.echo(f"error: {exc} (the unsafe backend: --unsafe-subprocess)", err=True)
        raise typer.Exit(2) from None
    result = sandbox.run(command[0] if len(command) == 1 else command)
    sys.stdout.write(result.output)
    sys.stdout.flush()
    if result.timed_out:
        typer.echo(f"[timed out after {timeout:g} s: the command and its children were killed]", err=True)
    raise typer.Exit(result.exit_code)


@sandbox_app.command("check")
def check() -> None:
    """Say whether the bubblewrap sandbox works on this machine, and if not, why and how to fix it."""
    from rich.console import Console

    from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap, process_cap_mechanism

    console = Console()
    try:
        check_bwrap()
    except SandboxUnavailable as exc:
        console.print(f"[red]bwrap sandbox unavailable[/red]: {exc}")
        raise typer.Exit(1) from None
    console.print("[green]bwrap sandbox works here[/green]: new namespaces, no network, read-only system.")
    mechanism = process_cap_mechanism()
    notes = {
        "cgroup": "process count capped by a pids cgroup per command",
        "rlimit": "process count capped by RLIMIT_NPROC (counted over all of this user's processes)",
        "none": "process count NOT capped: running as root and no writable pids cgroup was found",
    }
    console.print(f"limits: timeout, address space, file size, output size; {notes[mechanism]}")
