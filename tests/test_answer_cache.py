"""The append-only answer cache behind task validity and pristine test counts: survives a torn line
left by a killed process, and a fresh reader sees what another instance wrote."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from agentic_pipeline.tasks.answers import AnswerCache


def test_a_torn_last_line_is_skipped_and_never_glued_to_the_next_answer(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"key": "a", "ok": True}) + "\n" + '{"key": "b", "o')  # killed mid-write
    cache = AnswerCache(path, "ok")
    assert cache.get("a") is True and cache.get("b") is None
    cache.put("c", False)
    again = AnswerCache(path, "ok")
    assert (again.get("a"), again.get("b"), again.get("c")) == (True, None, False)
    assert json.loads(path.read_text().splitlines()[2]) == {"key": "c", "ok": False}  # on its own line


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    caches = [AnswerCache(path, "passed") for _ in range(4)]

    def write(n: int) -> None:
        for i in range(200):
            caches[n].put(f"{n}:{i}", i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader = AnswerCache(path, "passed")
    assert all(reader.get(f"{n}:{i}") == i for n in range(4) for i in range(200))
    assert len([line for line in path.read_text().splitlines() if line]) == 800
