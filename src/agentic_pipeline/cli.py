"""The ``agentic`` command line. Nothing in the package imports this module."""

from __future__ import annotations

import importlib

from agentic_pipeline.commands import app

# Each module adds its commands to the apps in agentic_pipeline.commands when imported.
COMMAND_MODULES = [
    "generate_trajectories",
    "tasks",
    "schemas",
    "quickstart",
    "validate",
    "convert",
    "sandbox",
    "train",
    "plan",
    "generate_preferences",
    "generate_conversations",
    "generate_reasoning",
    "tasks_synthesize",
    "tasks_mine",
    "evaluate",
    "report",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"agentic_pipeline.commands.{_name}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
