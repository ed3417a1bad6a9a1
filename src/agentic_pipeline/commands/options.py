"""What the commands share, declared once: option groups, exit codes, the teacher's with block, progress.

An option group is a dataclass whose fields are typer options (``TeacherOptions``, ``RunOptions``).
A command decorated with ``@grouped`` takes the group as one parameter (``teacher: TeacherOptions``);
``--help`` lists its fields as ordinary flags, so every command that takes a teacher has the same
flags, help and checks. ``generation(...)`` is the with block around a generating command's work:
logging, the sandbox check, the teacher opened (or ``--dry-run`` printed), the ledger summary at the
end. ``finish(...)`` prints each output's counts and exits with the named code that fits.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from agentic_pipeline.generate.pool import Counts
    from agentic_pipeline.llm.dryrun import EpisodeShape
    from agentic_pipeline.teacher import Teacher, TeacherConfig


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the run could not do its work (a teacher down, a verification that failed)
    USAGE = 2  # a bad option or input: the message names it
    SHORT = 3  # fewer records than asked: the sources ran out (the message says where to get more)
    BUDGET = 4  # --max-cost-usd reached: re-run with a higher budget to go on
    INTERRUPTED = 130


def console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (never a traceback)."""
    console().print(f"[red]error[/red]: {message}", highlight=False)
    raise typer.Exit(int(code))


# ----------------------------------------------------------------------------- option groups


@dataclass(kw_only=True)
class ClientOptions:
    """How to reach a model and what it may cost: everything of a teacher but which one it is."""

    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Endpoint of an OpenAI-compatible or Anthropic server (default: the SDK's)."
        ),
    ] = None
    max_cost_usd: Annotated[
        float | None,
        typer.Option(
            "--max-cost-usd",
            "--budget",
            min=0.0,
            help="Paid teachers: start no new episode once the run's ledger reaches this many dollars; "
            "episodes in flight finish and are written (exit code 4).",
        ),
    ] = None
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            help="Paid teachers: model requests in flight at once (default: up to --workers). Give --workers "
            "more than this so tools run while requests wait.",
        ),
    ] = None
    rpm: Annotated[
        float | None, typer.Option("--rpm", help="Paid teachers: client-side limit, requests per minute.")
    ] = None
    itpm: Annotated[
        float | None,
        typer.Option("--itpm", help="Paid teachers: client-side limit, input tokens per minute."),
    ] = None
    otpm: Annotated[
        float | None,
        typer.Option("--otpm", help="Paid teachers: client-side limit, output tokens per minute."),
    ] = None
    thinking: Annotated[
        str | None,
        typer.Option(
            "--thinking",
            help="Anthropic: 'adaptive', or a token budget for extended thinking (older models).",
        ),
    ] = None
    request_timeout: Annotated[
        float | None,
        typer.Option(
            "--request-timeout",
            help="Paid teachers: seconds before a model request is retried (SDK default 600).",
        ),
    ] = None
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Paid teachers: print the expected model calls, tokens and dollars; send nothing.",
        ),
    ] = False

    temperature: Annotated[
        float | None,
        typer.Option(
            "--temperature", min=0.0, help="hf:PATH teachers: sampling temperature (default: greedy)."
        ),
    ] = None
    max_new_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-new-tokens",
            min=1,
            help="hf:PATH teachers: new tokens per assistant turn (default 1024); a tool call still "
            "open at the limit is a format error.",
        ),
    ] = None

    def config_for(self, spec: str) -> TeacherConfig:
        """The checked ``TeacherConfig`` of model ``spec``; exits 2 with the reason on a bad value."""
        from agentic_pipeline.teacher import TeacherConfig

        try:
            return TeacherConfig(
                spec=spec, base_url=self.base_url, max_cost_usd=self.max_cost_usd,
                concurrency=self.concurrency, rpm=self.rpm, itpm=self.itpm, otpm=self.otpm,
                thinking=self.thinking, request_timeout=self.request_timeout, dry_run=self.dry_run,
                temperature=self.temperature, max_new_tokens=self.max_new_tokens,
            )  # fmt: skip
        except ValueError as exc:
            fail(str(exc))


@dataclass(kw_only=True)
class TeacherOptions(ClientOptions):
    """The teacher options of every command that takes a teacher: which one, and ``ClientOptions``."""

    teacher: Annotated[
        str,
        typer.Option(
            "--teacher",
            help="oracle (offline, no model), anthropic:MODEL, openai:MODEL, or hf:PATH (a local "
            "transformers checkpoint run here, e.g. a trained student).",
        ),
    ] = "oracle"

    def config(self) -> TeacherConfig:
        return self.config_for(self.teacher)


@dataclass(kw_only=True)
class RunOptions:
    """How a generating command runs here: jobs at once, the seed, the sandbox, the log."""

    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=1, help="Jobs (episodes, sessions, projects...) run at once."),
    ] = 2
    seed: Annotated[int, typer.Option("--seed", help="Seed of the order of the work and of the wording.")] = 0
    unsafe_subprocess: Annotated[
        bool,
        typer.Option(
            "--unsafe-subprocess",
            help="Run commands WITHOUT isolation (plain subprocesses): only for machines without user namespaces.",
        ),
    ] = False
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Log warnings (skipped sources, failed setups, rejections)."),
    ] = False

    def backend(self) -> str:
        return sandbox_backend(self.unsafe_subprocess)


@dataclass(kw_only=True)
class ClusterOptions:
    """Where the jobs run: here, or as Ray tasks on a cluster's nodes (docs/distributed.md)."""

    executor: Annotated[
        Literal["local", "ray"],
        typer.Option(
            "--executor",
            help="local: jobs run here (default). ray: each job (episode, session, grounded item, "
            "measurement, chunk) runs as a Ray task on a node of a Ray cluster, in that node's sandbox; this "
            "process alone writes the records, the resume state and the cost ledger, and makes every model "
            "call (one rate limit and budget for the cluster). --workers is then the jobs in flight across "
            "the cluster (docs/distributed.md).",
        ),
    ] = "local"
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="--executor ray: the cluster's address (HOST:6379 of `ray start --head`); default: "
            "RAY_ADDRESS, or a new Ray instance on this machine.",
        ),
    ] = None


@contextmanager
def executor_for(cluster: ClusterOptions, backend: str | None) -> Iterator[Any]:
    """The run's executor (``--executor``), closed at the end; a cluster that can't run jobs exits 2."""
    from agentic_pipeline.generate.pool import make_executor

    if cluster.ray_address is not None and cluster.executor != "ray":
        fail("--ray-address is an option of --executor ray")
    try:
        executor = make_executor(cluster.executor, cluster.ray_address, backend)
    except ValueError as exc:
        fail(str(exc))
    except ConnectionError as exc:  # no cluster at --ray-address
        fail(f"--ray-address {cluster.ray_address}: {exc}")
    try:
        yield executor
    finally:
        executor.close()


Shard = Annotated[str, typer.Option("--shard", help="i/N: this machine takes the i-th of N disjoint shares.")]
# The choices of agentic_pipeline.tasks.split.CHOICES (a test keeps the two the same).
TaskSplit = Annotated[
    Literal["train", "eval", "all"],
    typer.Option(
        "--split",
        help="Draw tasks of this held-out split: train (default; the eval sources, ~10% of projects, stdlib "
        "modules, repositories and synthesized projects, are never used), eval (only those: evaluation data) "
        "or all. `agentic tasks list` shows each source's split.",
    ),
]


def count_option(what: str) -> Any:
    """The type of ``--count/-n`` (``count: count_option("Kept sessions wanted.")``)."""
    return Annotated[int, typer.Option("--count", "-n", min=1, help=what)]


def out_option(writes: str) -> Any:
    """The type of a generator's ``--out``: the data directory, and what it writes there."""
    return Annotated[Path, typer.Option("--out", help=f"Data directory: writes {writes}.")]


def category_option(choices: str) -> Any:
    return Annotated[str, typer.Option("--category", "-c", help=choices)]


def grouped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Let a typer command take option groups: each parameter annotated with a dataclass is shown as
    that dataclass's fields and built from them before ``fn`` is called."""
    signature = inspect.signature(fn, eval_str=True)
    params: list[inspect.Parameter] = []
    groups: dict[str, tuple[type, list[str]]] = {}
    for p in signature.parameters.values():
        if isinstance(p.annotation, type) and dataclasses.is_dataclass(p.annotation):
            hints = typing.get_type_hints(p.annotation, include_extras=True)
            names = [f.name for f in dataclasses.fields(p.annotation)]
            params += [
                inspect.Parameter(
                    f.name, inspect.Parameter.KEYWORD_ONLY, annotation=hints[f.name], default=f.default
                )
                for f in dataclasses.fields(p.annotation)
            ]
            groups[p.name] = (p.annotation, names)
        else:
            params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY))
    seen = [p.name for p in params]
    if len(seen) != len(set(seen)):
        raise TypeError(f"{fn.__name__}: an option group repeats a parameter name: {sorted(seen)}")

    @functools.wraps(fn)
    def command(**kwargs: Any) -> Any:
        for name, (cls, names) in groups.items():
            kwargs[name] = cls(**{n: kwargs.pop(n) for n in names})
        return fn(**kwargs)

    del command.__wrapped__  # typer must read the expanded signature, not fn's
    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


# ----------------------------------------------------------------------------- the run around a command


def sandbox_backend(unsafe_subprocess: bool) -> str:
    """``bwrap``, checked to work here, or ``subprocess`` when asked for; exits 2 saying why bwrap can't run."""
    if unsafe_subprocess:
        console().print("[yellow]warning[/yellow]: --unsafe-subprocess runs commands with NO isolation")
        return "subprocess"
    from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap

    try:
        check_bwrap()
    except SandboxUnavailable as exc:
        fail(str(exc))
    return "bwrap"


def set_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if verbose else logging.ERROR, format="%(levelname)s %(message)s"
    )


@contextmanager
def open_teacher(
    options: TeacherOptions | TeacherConfig, run_dir: Path | None, *, seed: int = 0, needs: str = ""
) -> Iterator[Teacher]:
    """The run's teacher in a with block: a bad option or a missing key exits 2 before anything starts
    (the message starts with ``needs`` when given); the ledger's totals are printed at the end."""
    config = options.config() if isinstance(options, TeacherOptions) else options
    try:
        teacher = config.open(run_dir, seed=seed)
    except ValueError as exc:
        fail(f"{needs}: {exc}" if needs else str(exc))
    try:
        yield teacher
    finally:
        if teacher.ledger is not None:
            console().print(teacher.summary(), highlight=False)
        teacher.close()


@contextmanager
def generation(
    run: RunOptions,
    teacher: TeacherOptions,
    out: Path | None,
    *,
    count: int,
    shape: EpisodeShape | None = None,
    unit: str = "episodes",
    needs: str = "",
) -> Iterator[tuple[Teacher, str]]:
    """(the opened teacher, the sandbox backend) for a generating command. ``--dry-run`` prints the
    estimate for ``count`` jobs of ``shape`` and exits 0; a ValueError from the work exits 2."""
    set_logging(run.verbose)
    with open_teacher(teacher, out, seed=run.seed, needs=needs) as opened:
        if opened.dry_run:
            typer.echo("\n".join(opened.dry_run_lines(count, shape, unit)))
            raise typer.Exit(0)
        backend = run.backend()
        try:
            yield opened, backend
        except (ValueError, OSError) as exc:  # bad input found during the run: the message says which
            fail(str(exc))


@contextmanager
def progress_bars(
    teacher: Teacher | None = None, label_width: int = 16
) -> Iterator[Callable[[Counts], None]]:
    """Live bars, one per ``Counts`` (kept of target, rejected, rate, dollars); yields the update function."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [
        TextColumn(f"{{task.description:<{label_width}}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rejected {task.fields[rejected]}"),
        TextColumn("{task.fields[rate]:.1f}/min"),
    ]
    if teacher is not None and teacher.paid:
        columns.append(TextColumn("${task.fields[usd]:.2f}"))  # the ledger's running total
    with Progress(*columns, TimeRemainingColumn(), console=console()) as bar:
        ids: dict[str, Any] = {}

        def update(counts: Counts) -> None:
            if counts.name not in ids:
                ids[counts.name] = bar.add_task(
                    counts.name, total=counts.target, rejected=0, rate=0.0, usd=0.0
                )
            usd = teacher.total_usd() if teacher is not None else 0.0
            bar.update(
                ids[counts.name],
                completed=counts.kept,
                rejected=counts.rejected,
                rate=counts.rate_per_minute(),
                usd=usd,
            )

        yield update


def summary_line(counts: Counts, invalid: str = "candidates not valid tasks") -> str:
    line = (
        f"{counts.name}: {counts.kept}/{counts.target} kept ({counts.new_kept} new), "
        f"{counts.rejected} rejected, {counts.invalid} {invalid}"
    )
    line += f", {counts.errors} crashed (see the log)" if counts.errors else ""
    return line + (f", {counts.retried} run again after their worker died" if counts.retried else "")


def finish(
    results: Sequence[Counts],
    teacher: Teacher,
    short: Callable[[Counts], str],
    invalid: str = "candidates not valid tasks",
    print_counts: bool = True,
) -> None:
    """Print each output's counts; exit 1 when the run aborted, 4 at the budget, 3 when one is short
    (``short(counts)`` says what ran out and where to get more)."""
    out = console()
    for counts in results if print_counts else ():
        out.print(summary_line(counts, invalid), highlight=False)
    aborted = [c for c in results if c.aborted]
    if aborted:
        fail(f"stopped after repeated failures; last: {aborted[0].last_error}", ExitCode.FAILED)
    if teacher.budget_reached:
        out.print(
            f"[yellow]stopped: --max-cost-usd reached (${teacher.total_usd():.4f} spent); "
            "re-run with a higher budget to continue where this run stopped.[/yellow]"
        )
        raise typer.Exit(int(ExitCode.BUDGET))
    ran_out = [c for c in results if c.shortfall]
    for counts in ran_out:
        out.print(f"[yellow]{short(counts)}[/yellow]")
    if ran_out:
        raise typer.Exit(int(ExitCode.SHORT))
