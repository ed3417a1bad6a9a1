"""Shared fixtures. Tests are real: a real sandbox, real files, real training steps on a tiny model."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_tokenizer():
    """The package's locally built tokenizer (Qwen2.5 chat template), built once per session."""
    from agentic_pipeline.tiny import load_tokenizer

    return load_tokenizer(None)


@pytest.fixture(scope="module")
def task_cache(tmp_path_factory: pytest.TempPathFactory):
    """A task cache (candidate lists, validity answers) of this test module's own."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AGENTIC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def project(task_cache):
    """A shipped project (ledger) whose own tests pass in the sandbox."""
    import asyncio

    from agentic_pipeline.tasks.sources import project_sources
    from agentic_pipeline.tasks.validity import source_passes

    sources = {s.short: s for s in project_sources()}
    src = sources.get("ledger") or next(iter(sources.values()))
    assert asyncio.run(source_passes(src)), f"{src.name}: its own tests fail"
    return src
