"""Held-out contamination: a training record made from a task of the eval split.

The eval split (``agentic_pipeline.tasks.split``) holds out whole sources (projects, stdlib modules,
mined repositories, synthesized projects, built-in devops groups) so that evaluation runs on code
training never showed. A record of such a source in the training data defeats that, whoever wrote it
(``generate --split eval`` into the wrong folder, an older version, a hand-made file).

Which sources a record comes from, from its metadata: ``metadata.source`` when it names a task source
(``project:ledger``; trajectories, sessions and problem_solving records carry it), and the source of
every task id it names (``metadata.task_id``; a session's ``metadata.requests[].task_id``), read from
the id (``debugging-project.ledger-<hash>``), for records written before ``source`` was there. A
record with no task (converted domain data, the preference catalogue, design reasoning) has none and
is never flagged.

``check(metadata, split)``: None, or why the record does not belong in a dataset of ``split``:
``train`` (the default: a record of an eval source is ``eval_contamination``), ``eval`` (a record of a
train source is ``train_in_eval``), ``all`` (no check).
"""

from __future__ import annotations

from typing import Any

from agentic_pipeline.tasks.split import check_split, source_of_task_id, split_of, task_source

CHECK = "eval_contamination"  # a record of an eval-split source in training data
CHECK_EVAL = "train_in_eval"  # a record of a train-split source in a held-out (eval) dataset


def record_sources(metadata: Any) -> list[str]:
    """The task sources a record's metadata names (in order, each once)."""
    if not isinstance(metadata, dict):
        return []
    found = [task_source(metadata.get("source")), source_of_task_id(metadata.get("task_id"))]
    for request in metadata.get("requests") or []:
        if isinstance(request, dict):
            found.append(source_of_task_id(request.get("task_id")))
    # A plain "builtin" (older built-in devops records) names no group: its task id does.
    return list(dict.fromkeys(s for s in found if s is not None))


def check(metadata: Any, split: str = "train") -> tuple[str, str] | None:
    """(check name, message) when the record's sources do not belong to a dataset of ``split``."""
    if check_split(split) == "all":
        return None
    other = [s for s in record_sources(metadata) if split_of(s) != split]
    if not other:
        return None
    task = metadata.get("task_id")
    what = f"task {task} (source {other[0]})" if isinstance(task, str) else f"source {other[0]}"
    more = f" and {len(other) - 1} more source(s)" if len(other) > 1 else ""
    if split == "train":
        return CHECK, (
            f"{what}{more} is in the held-out eval split: a record of it must not be trained on "
            "(drop it, or validate a folder of eval data with --split eval)"
        )
    return CHECK_EVAL, f"{what}{more} is in the train split, not in the held-out eval split"
