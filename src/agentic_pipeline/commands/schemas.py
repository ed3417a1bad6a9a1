"""``agentic schemas``: regenerate the checked-in JSON Schemas from the record models."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from agentic_pipeline.commands import app
from agentic_pipeline.records import json_schemas


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in json_schemas().items():
        path = out_dir / f"{kind}.schema.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


@app.command()
def schemas(
    out_dir: Path = typer.Option(Path("schemas"), "--out", help="Folder to write <kind>.schema.json into."),
) -> None:
    """Write one JSON Schema per record kind, generated from the pydantic models."""
    for path in write_schemas(out_dir):
        typer.echo(f"wrote {path}")
