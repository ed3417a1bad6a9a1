"""Findings and the validation report: what was wrong, where (file and 1-based line), how bad.

Line 0 means the file as a whole (an empty file, say). A finding's ``check`` names the rule that
produced it; ``--fix`` writes every record it drops to ``rejected/<check>.jsonl``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(slots=True)
class Finding:
    file: str
    line: int
    id: str | None
    check: str
    severity: str
    message: str

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    # (file, line) -> what ``--fix`` redacts in that record; not part of the JSON report
    redactions: dict[tuple[str, int], list[Any]] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    def by_check(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for f in self.findings:
            slot = counts.setdefault(f.check, {ERROR: 0, WARNING: 0})
            slot[f.severity] += 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        return {"findings": [asdict(f) for f in self.findings], "summary": self.summary}

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
