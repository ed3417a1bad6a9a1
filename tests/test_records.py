"""Record schemas: the checked-in JSON Schemas match the models, and every example is valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from agentic_pipeline.curate import Options, validate
from agentic_pipeline.examples import examples_dir, write_examples_as_dataset
from agentic_pipeline.layout import KNOWN_CATEGORIES
from agentic_pipeline.records import KINDS, json_schemas, parse_record

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "schemas" / "examples").glob("*.json"))


@pytest.mark.parametrize("kind", KINDS)
def test_checked_in_schema_matches_the_model(kind):
    on_disk = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text())
    assert on_disk == json_schemas()[kind], f"schemas/{kind}.schema.json drifted: run `agentic schemas`"


def test_there_is_an_example_of_every_kind_and_category():
    names = {p.stem for p in EXAMPLES}
    expected = {f"{kind}_{c}" for kind, cats in KNOWN_CATEGORIES.items() for c in cats}
    assert expected <= names
    assert any(n.startswith("domain_") for n in names)
    assert examples_dir() == ROOT / "schemas" / "examples"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_with_jsonschema_and_pydantic(path):
    obj = json.loads(path.read_text())
    kind, _, category = path.stem.partition("_")
    jsonschema.validate(obj, json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text()))
    record = parse_record(obj)
    assert (record.kind, record.category) == (kind, category)
    assert record.metadata.source == "example"


def test_examples_as_a_dataset_pass_validation_with_no_finding(tmp_path):
    files = write_examples_as_dataset(tmp_path)
    assert (tmp_path / "trajectories" / "debugging_tasks.jsonl") in files
    report = validate(Options(data_dir=tmp_path, workers=1))
    assert report.findings == []
    assert report.summary["records"] == len(EXAMPLES)
