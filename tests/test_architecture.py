"""The package's layers hold: the import contract in pyproject.toml ([tool.importlinter]) is checked
with import-linter, imports inside functions and under TYPE_CHECKING included.

The README's picture of the layers is that contract; a lower layer that reaches up (say the LLM
clients importing the generators to share a helper) breaks this test, however lazily it imports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package found under ``src`` (a fresh process: no cached graph)."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, str(config), "--no-cache"],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layers_of_the_package_are_kept() -> None:
    result = lint_imports(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_lazy_import_that_reaches_up_a_layer_breaks_the_contract(tmp_path: Path) -> None:
    """The control: the same check on a copy where the cost ledger imports the worker pool inside a function."""
    shutil.copytree(
        ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    ledger = tmp_path / "src" / "agentic_pipeline" / "llm" / "ledger.py"
    ledger.write_text(
        ledger.read_text() + "\n\ndef _reach_up():\n    from agentic_pipeline.generate import pool\n"
    )
    result = lint_imports(tmp_path / "src", ROOT / "pyproject.toml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "agentic_pipeline.llm.ledger -> agentic_pipeline.generate.pool" in result.stdout
