"""Durable JSON Lines files: append whole lines, repair a torn tail, read the ids already written.

Each record is one ``os.write`` of a full line on an ``O_APPEND`` descriptor, followed by ``fsync``;
a kill in the middle of a write leaves at most a torn last line (no newline), which readers stop at
and the next ``JsonlAppender`` cuts back to the last newline before its first append.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class JsonlAppender:
    """Appends whole lines durably; repairs a torn tail left by a killed writer before the first append."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        trim_torn_tail(path)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
        written = os.write(self.fd, data)
        while written < len(data):  # a short write on a regular file is rare but legal
            written += os.write(self.fd, data[written:])
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def trim_torn_tail(path: Path) -> None:
    """Cut ``path`` back to its last newline (a line without one was torn by a kill)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                end = pos - step + nl + 1
                break
            pos -= step
        else:
            end = 0
        if end != size:
            log.warning("%s: cut a torn last line (%d bytes) left by an interrupted run", path, size - end)
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())


# ----------------------------------------------------------------------------- reading


def whole_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` for each whole line of ``path`` (none if it does not exist); stops
    at a torn tail, a last line without a newline (``JsonlAppender`` trims it before appending)."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                break  # torn tail: trimmed before the first append
            yield n, raw


def lenient_rows(path: Path) -> Iterator[Any]:
    """Every line of ``path`` that parses as JSON (none if the file does not exist); a line that does
    not (torn by a killed writer) is skipped, wherever it is."""
    if not path.exists():
        return
    # Split on newlines only: str.splitlines() also splits at U+2028 and U+0085, which appear raw in
    # lines written with ensure_ascii=False, and would drop such a record (then paid for again).
    for line in path.read_bytes().split(b"\n"):
        try:
            row = json.loads(line)
        except ValueError:  # not JSON, or not UTF-8
            continue
        yield row


# Rejections that say nothing about the task: the teacher failed (an API error that outlived its
# retries, a server that went away). A resumed run gives those tasks another episode.
RETRIED_STATUSES = frozenset({"policy_error"})


def done_task_ids(path: Path, retry: frozenset[str] = frozenset()) -> list[str]:
    """Task ids of the records in ``path`` (whole lines only), leaving out the records whose
    ``outcome.exit_status`` is in ``retry``."""
    ids = []
    for n, raw in whole_lines(path):
        try:
            row = json.loads(raw)
            task_id = row["metadata"]["task_id"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"{path}:{n}: not a trajectory record with metadata.task_id") from None
        if retry and ((row.get("outcome") or {}).get("exit_status") in retry):
            continue
        ids.append(task_id)
    return ids


def settled_task_ids(kept_path: Path, rejected_path: Path) -> set[str]:
    """Tasks a resumed run skips: every kept one, and every rejected one whose rejection was the
    task's own (not the teacher's failure)."""
    settled = set(done_task_ids(kept_path)) | set(done_task_ids(rejected_path, RETRIED_STATUSES))
    retried = set(done_task_ids(rejected_path)) - settled
    if retried:
        log.info("%s: %d task(s) whose teacher failed get another episode", rejected_path, len(retried))
    return settled


def existing_ids(path: Path) -> set[str]:
    """Ids of the whole lines in ``path`` (a torn tail is ignored; the appender trims it)."""
    ids: set[str] = set()
    for n, raw in whole_lines(path):
        try:
            ids.add(json.loads(raw)["id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"{path}:{n}: not a JSON record with an id") from None
    return ids
