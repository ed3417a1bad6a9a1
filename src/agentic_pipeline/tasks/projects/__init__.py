"""Small Python projects shipped with the package, written for it, that task builders mutate into tasks.

Each project is a folder `<name>/` holding:

- `PROJECT.toml` with `name`, `description` (one line), `domain`, `package` (the import name),
  `src` (source files, relative to the project root), `tests` (test files), `test_cmd` (run from the
  project root) and `refactor_hints` (free-text descriptions of refactoring targets, maybe empty);
- `<package>/` with the code: pure standard-library Python, 80-250 lines in 1-3 modules;
- `tests/` with a pytest suite (15-40 tests, well under a second) and a `conftest.py` that puts the
  project root on `sys.path` and turns off bytecode writing, so an edit of the same size made within
  the same second as the previous run is never hidden by a stale `.pyc`.

The folders are data, not subpackages of `agentic_pipeline`: copy one out before running or mutating it.
"""

from __future__ import annotations

from pathlib import Path

PROJECTS_DIR = Path(__file__).resolve().parent


def list_projects() -> list[str]:
    """Names of the shipped projects (folders holding a PROJECT.toml), sorted."""
    return sorted(p.parent.name for p in PROJECTS_DIR.glob("*/PROJECT.toml"))
