"""The command groups of the ``agentic`` CLI. Each module in this package adds its commands to
these apps; ``agentic_pipeline.cli`` imports them all. Command modules import heavy libraries
(torch, transformers, trl) inside the command functions so that ``agentic --help`` stays fast."""

import typer

app = typer.Typer(
    help="Turn an instruction model into an agent: generate verified tool-use data, validate it, train on it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
generate_app = typer.Typer(
    help="Generate training data (trajectories, preferences, ...).", no_args_is_help=True
)
train_app = typer.Typer(help="Train: SFT, DPO, and inspect what the model will learn.", no_args_is_help=True)
tasks_app = typer.Typer(
    help="Tasks the agent solves: list them, mine your own repository, synthesize new ones with a teacher.",
    no_args_is_help=True,
)
sandbox_app = typer.Typer(
    help="Run commands in the bubblewrap sandbox the agent's tools use.", no_args_is_help=True
)

app.add_typer(generate_app, name="generate")
app.add_typer(train_app, name="train")
app.add_typer(tasks_app, name="tasks")
app.add_typer(sandbox_app, name="sandbox")
