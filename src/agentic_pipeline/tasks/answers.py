"""An append-only JSON Lines map from a key to an answer, kept on disk across runs and processes.

Each ``put`` is one ``os.write`` of a whole line on an ``O_APPEND`` descriptor, so concurrent
writers never interleave a line; a last line torn by a killed process is skipped when reading and
never glued to the next answer. Used for the validity of tasks and the pristine test counts.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from agentic_pipeline.jsonl import lenient_rows


class AnswerCache:
    """``{"key": ..., FIELD: answer}`` lines; the last answer for a key wins."""

    def __init__(self, path: Path, field: str) -> None:
        self.path = path
        self.field = field
        self._lock = threading.Lock()
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            self._data = {}
            for row in lenient_rows(self.path):  # skips a line that is not JSON
                try:
                    self._data[row["key"]] = row[self.field]
                except (KeyError, TypeError):
                    continue  # a torn line from a killed process
        return self._data

    def get(self, key: str) -> Any:
        with self._lock:
            return self._load().get(key)

    def put(self, key: str, answer: Any) -> None:
        with self._lock:
            self._load()[key] = answer
            line = (json.dumps({"key": key, self.field: answer}) + "\n").encode()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, b"\n" + line if self._torn() else line)
            finally:
                os.close(fd)

    def _torn(self) -> bool:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                return fh.read(1) != b"\n"
        except OSError:
            return False
