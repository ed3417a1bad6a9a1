"""What a task is: an instruction, a workspace to start from, a verifier, and (for the oracle) a known solution.

A task is plain data, serializable to one JSON object (``to_dict`` / ``from_dict``), so a mined
repository's tasks can be written to a JSONL file and read back by the generator. Its id is
deterministic: the same (source, family, mutation, seed) always gives the same id, which is what
resume and deduplication key on.

The workspace is a base folder copied as it is (``base``; caches and virtual environments left
out) with some files replaced (``files``) and small edits applied (``patches``: a mutant is one
line of difference, so a task stays a few hundred bytes), then ``setup`` commands run inside the
sandbox (for example to build a git history). The verifier (``Verifier``) is declarative: the tests must pass
after the pinned files are restored, shell checks must succeed, AST predicates must hold.

``Task.split`` (``train`` or ``eval``) follows from ``source`` alone: see ``agentic_pipeline.tasks.split``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from agentic_pipeline.tasks.facts import Facts, facts_from_dict
from agentic_pipeline.tasks.split import Split, split_of

F = TypeVar("F", bound=Facts)

FAMILIES = ("coding", "debugging", "refactoring", "devops")

# Never copied into a workspace: caches, environments and VCS folders of the base.
_IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".venv", "venv", ".git", ".mypy_cache", ".ruff_cache", ".tox"
)


def task_id(source: str, family: str, mutation: str, seed: int = 0) -> str:
    """A stable id: readable prefix plus a hash of everything that defines the task."""
    digest = hashlib.sha256(f"{source}\x00{family}\x00{mutation}\x00{seed}".encode()).hexdigest()[:16]
    return f"{family}-{source.replace('/', '.').replace(':', '.')}-{digest}"


@dataclass
class Edit:
    """Replace the exact text ``old`` (unique in the file) by ``new``; ``old`` empty creates the file."""

    path: str
    old: str
    new: str


@dataclass
class Check:
    """One verifier check beyond the test command.

    kind ``command``: ``cmd`` runs in the sandbox; it must exit 0 and, when given, print ``expect``
    (compared after stripping) or contain every string in ``contains``.
    kind ``ast``: the named predicate of ``agentic_pipeline.tasks.predicates`` holds on the
    workspace, called with ``args``.
    """

    kind: str
    name: str
    cmd: str = ""
    expect: str | None = None
    contains: list[str] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Verifier:
    """Done means: pinned files restored, ``test_cmd`` exits 0 (when set), every check passes.

    ``pinned`` holds files by content; ``pin_base`` names files restored from the task's base folder
    (the tests as shipped), so the agent's edits to them never count.
    """

    test_cmd: str | None = None
    pinned: dict[str, str] = field(default_factory=dict)
    pin_base: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def name(self) -> str:
        kinds = (["tests"] if self.test_cmd else []) + sorted({c.kind for c in self.checks})
        return "+".join(kinds) or "none"


@dataclass
class Solution:
    """What the oracle knows. ``kind`` picks its plan; ``facts`` (the kind's record in
    ``agentic_pipeline.tasks.facts``, or ``None``) feed its thoughts, never its observations.

    ``edits`` are listed in the order they apply (an empty ``old``: the whole file), then
    ``commands`` run: the reference solution that ``agentic_pipeline.tasks.validity`` checks."""

    kind: str
    edits: list[Edit] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    facts: Facts | None = None

    def facts_as(self, cls: type[F]) -> F:
        """``facts``, checked to be the record ``cls``: a plan or builder handed another kind's task
        fails here, naming both, instead of on a missing attribute later."""
        if not isinstance(self.facts, cls):
            raise TypeError(f"a {self.kind!r} solution holds {type(self.facts).__name__}, not {cls.__name__}")
        return self.facts


@dataclass
class Task:
    id: str
    family: str
    source: str
    instruction: str
    base: str | None
    files: dict[str, str]
    verifier: Verifier
    solution: Solution
    setup: list[str] = field(default_factory=list)
    # The command that shows the problem (tests, the failing script, ...): what an agent runs first.
    check_cmd: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    patches: list[Edit] = field(default_factory=list)
    # The source's own environment (a venv folder, agentic_pipeline.tasks.environments), mounted in the
    # sandbox for every command of the task; None: the interpreter that runs this package.
    env: str | None = None

    @property
    def split(self) -> Split:
        """``train`` or ``eval``: the held-out split of the task's source (``agentic_pipeline.tasks.split``)."""
        return split_of(self.source)

    def materialize(self, dest: Path) -> Path:
        """Write the starting workspace into ``dest`` (created; must be empty or missing)."""
        dest = Path(dest)
        if self.base:
            shutil.copytree(self.base, dest, ignore=_IGNORED, dirs_exist_ok=True)
        else:
            dest.mkdir(parents=True, exist_ok=True)
        for rel, text in self.files.items():
            path = dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for e in self.patches:
            path = dest / e.path
            path.write_text(apply_edit(path.read_text(), e))
        return dest

    def start_text(self, rel: str) -> str:
        """The text of ``rel`` in the starting workspace (before setup commands)."""
        text = self.files.get(rel)
        if text is None:
            text = (Path(self.base) / rel).read_text() if self.base else ""
        for e in self.patches:
            if e.path == rel:
                text = apply_edit(text, e)
        return text

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        facts = self.solution.facts
        out["solution"]["facts"] = facts.to_dict() if facts is not None else {}
        if out["env"] is None:
            del out["env"]  # task files without an environment keep the JSON they always had
        return out

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> Task:
        """The task of a ``to_dict`` object; a malformed one raises ``KeyError``, ``TypeError`` or
        ``ValueError`` (the facts of its solution kind, see ``agentic_pipeline.tasks.facts``)."""
        obj = dict(obj)
        ver = dict(obj["verifier"])
        ver["checks"] = [Check(**c) for c in ver.get("checks", [])]
        obj["verifier"] = Verifier(**ver)
        sol = dict(obj["solution"])
        sol["edits"] = [Edit(**e) for e in sol.get("edits", [])]
        sol["facts"] = facts_from_dict(sol["kind"], sol.get("facts") or {})
        obj["solution"] = Solution(**sol)
        obj["patches"] = [Edit(**e) for e in obj.get("patches", [])]
        return cls(**obj)

    def content_hash(self) -> str:
        """Hash of what the task *is* (workspace, setup, verifier), for caching validity checks."""
        payload = {k: v for k, v in self.to_dict().items() if k not in ("instruction", "meta", "solution")}
        payload["base_hash"] = tree_hash(Path(self.base)) if self.base else ""
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def apply_edit(text: str, edit: Edit) -> str:
    """``edit`` applied to ``text``; its ``old`` must occur exactly once."""
    if text.count(edit.old) != 1:
        raise ValueError(
            f"{edit.path}: the patch's old text occurs {text.count(edit.old)} times, expected once"
        )
    return text.replace(edit.old, edit.new, 1)


_TREE_HASHES: dict[str, str] = {}


def tree_hash(root: Path, memo: bool = True) -> str:
    """Hash of every file under ``root`` that a workspace copy would hold.

    Memoized for the life of the process (``memo=False`` to recompute): a task source does not
    change under a running job.
    """
    root = Path(root)
    key = str(root.resolve())
    if memo and key in _TREE_HASHES:
        return _TREE_HASHES[key]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(p in _SKIP_PARTS for p in rel.parts) or path.suffix == ".pyc":
            continue
        h.update(str(rel).encode() + b"\x00" + path.read_bytes() + b"\x00")
    _TREE_HASHES[key] = h.hexdigest()
    return _TREE_HASHES[key]


_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".venv", "venv", ".git", ".mypy_cache", ".ruff_cache", ".tox"}
