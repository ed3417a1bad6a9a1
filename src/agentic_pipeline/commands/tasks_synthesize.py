"""``agentic tasks synthesize``: new verified coding/debugging tasks from projects a teacher LLM writes.

agentic tasks synthesize --teacher anthropic:claude-sonnet-4-5 --count 500 --out synth_tasks.jsonl
agentic tasks synthesize --teacher openai:Qwen/Qwen2.5-72B-Instruct --base-url http://localhost:8000/v1 \
    --count 1000 --workers 8 --max-cost-usd 50 --out synth_tasks.jsonl
agentic generate trajectories --tasks synth_tasks.jsonl --category coding --count 10000
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from agentic_pipeline.commands import tasks_app
from agentic_pipeline.commands.options import (
    RunOptions,
    TeacherOptions,
    console,
    fail,
    finish,
    generation,
    grouped,
    progress_bars,
)

OUT_HELP = (
    "Task JSONL for `agentic generate trajectories --tasks`; the run folder <stem>.synth/ beside it keeps the "
    "project log, rejected replies and the cost ledger."
)


@tasks_app.command("synthesize")
@grouped
def synthesize_tasks(
    count: Annotated[
        int,
        typer.Option(
            "--count", "-n", min=1, help="Accepted projects wanted in --out (earlier runs' included)."
        ),
    ],
    run: RunOptions,
    teacher: TeacherOptions,
    out: Annotated[Path, typer.Option("--out", help=OUT_HELP)] = Path("synth_tasks.jsonl"),
    families: Annotated[
        str, typer.Option("--families", help="Comma-separated task families to derive: coding, debugging.")
    ] = "coding,debugging",
    per_project: Annotated[
        int, typer.Option("--per-project", min=1, help="Valid tasks kept per family from each project.")
    ] = 10,
    min_tests: Annotated[
        int, typer.Option("--min-tests", min=1, help="A project needs at least this many tests.")
    ] = 8,
    max_topics: Annotated[
        int | None,
        typer.Option(
            "--max-topics", min=1, help="Topics tried in this run before giving up (default 3 x --count + 5)."
        ),
    ] = None,
    max_tokens: Annotated[
        int, typer.Option("--max-tokens", min=1024, help="Output tokens per teacher reply.")
    ] = 12_000,
) -> None:
    """New coding and debugging tasks from small projects a teacher LLM writes, verified in the sandbox.

    For each topic the teacher writes a pure-Python library with pytest tests; a project is kept only if
    its files are at safe paths, import only the standard library and its tests pass in the sandbox (a
    failed reply is sent back once with the error). Tasks derived from it are kept only if their verifier
    fails at the start. Resumable: re-run with the same --out to continue to --count."""
    from agentic_pipeline.generate.synthesize import SYNTH_SHAPE, SynthConfig, state_dir, synthesize
    from agentic_pipeline.tasks.synthesize import SYNTH_FAMILIES, Acceptance, teacher_needed_message

    if teacher.teacher.partition(":")[0] not in ("anthropic", "openai"):
        fail(teacher_needed_message())
    fams = tuple(f.strip() for f in families.split(",") if f.strip())
    if not fams or any(f not in SYNTH_FAMILIES for f in fams):
        fail(f"--families {families!r}: expected a comma-separated subset of coding,debugging")
    run_dir = state_dir(out)
    needs = "task synthesis needs a reachable teacher LLM"
    session = generation(run, teacher, run_dir, count=count, shape=SYNTH_SHAPE, unit="projects", needs=needs)
    with session as (opened, backend):
        config = SynthConfig(
            count=count, out=out, families=fams, seed=run.seed, workers=run.workers, per_family=per_project,
            max_topics=max_topics, limits=Acceptance(min_tests=min_tests), max_tokens=max_tokens, backend=backend,
        )  # fmt: skip
        with progress_bars(opened, label_width=10) as progress:
            counts = asyncio.run(synthesize(config, opened, progress))
    _summary(counts, fams, out, run_dir)

    def short(c) -> str:
        return (
            f"only {c.kept} of {c.target} projects accepted after {c.attempts} topics this run; re-run (later "
            "topics are tried next) or raise --max-topics."
        )

    finish([counts], opened, short, print_counts=False)


def _summary(counts, fams: tuple[str, ...], out: Path, run_dir: Path) -> None:
    reasons = ", ".join(f"{stage} {n}" for stage, n in sorted(counts.reasons.items()))
    lines = [
        f"projects accepted: {counts.kept} ({counts.new_kept} this run) of {counts.target}",
        f"projects rejected this run: {counts.rejected}" + (f" ({reasons})" if reasons else ""),
    ]
    if counts.errors:
        lines.append(f"failed requests: {counts.errors} (their topics are tried again on the next run)")
    lines += [f"{fam} tasks: {counts.tasks.get(fam, 0)}" for fam in fams]
    lines.append(f"task file: {out}; run folder: {run_dir} (projects.jsonl has every decision and reason)")
    console().print("\n".join(lines), highlight=False, markup=False, emoji=False)
    if any(counts.tasks.values()):
        console().print(
            f"use them: `agentic generate trajectories --tasks {out} --category coding --count N`"
        )
