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


def _slow_task(seconds: float):
    from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier

    return Task(
        id=f"test-slow-{seconds}",
        family="devops",
        source="tests",
        instruction="Create checked.txt containing the word checked.",
        base=None,
        files={"README.md": "slow\n"},
        verifier=Verifier(
            checks=[
                Check(
                    kind="command", name="marker", cmd=f"sleep {seconds}; cat checked.txt", expect="checked"
                )
            ]
        ),
        solution=Solution(kind="edits", edits=[Edit(path="checked.txt", old="", new="checked\n")]),
    )


def test_a_validity_answer_that_rests_on_a_timeout_is_not_remembered(tmp_path: Path, monkeypatch) -> None:
    """On a loaded machine a check can time out once and pass the next time: a remembered "invalid"
    would drop the task for good (and make two runs of the same seed keep different tasks)."""
    import asyncio

    from agentic_pipeline.tasks import validity

    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    cache = validity.ValidityCache(tmp_path / "validity.jsonl")
    slow = _slow_task(3)
    monkeypatch.setattr(validity, "_CHECK_TIMEOUT_S", 1.0)
    assert asyncio.run(validity.task_is_valid(slow, cache=cache)) is False  # the verifier timed out
    assert validity.cached_validity(slow, cache) is None  # ... and that is not an answer
    monkeypatch.setattr(validity, "_CHECK_TIMEOUT_S", 20.0)
    assert asyncio.run(validity.task_is_valid(slow, cache=cache)) is True  # given time, it is valid
    assert validity.cached_validity(slow, cache) is True
    quick = _slow_task(0)  # a control: a real answer is remembered, a "no" as well as a "yes"
    quick.solution.edits[0].new = "wrong\n"
    assert asyncio.run(validity.task_is_valid(quick, cache=cache)) is False
    assert validity.cached_validity(quick, cache) is False
