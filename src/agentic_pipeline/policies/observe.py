"""Read what a command really printed: failing tests, error lines, traceback locations, summaries.

The oracle's thoughts are built only from what these functions find in an observation, so a thought
never claims something the tool output did not show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PYTEST_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+\.py::\S+?)(?: - (.*))?$", re.M)
_UNITTEST_FAILED = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", re.M)
_PY_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')
_PYTEST_FRAME = re.compile(r"^([\w./-]+\.py):(\d+): (?:in (\S+)|\w+)", re.M)
_PYTEST_E = re.compile(r"^E\s+(.+)$", re.M)
_EXC_LINE = re.compile(r"^(\w+(?:Error|Exception|Exit)|AssertionError)(?::\s*(.*))?$", re.M)
_EXIT = re.compile(r"\[exit code: (-?\d+)\]\s*$")


@dataclass
class TestReport:
    exit_code: int | None
    failed: list[str] = field(default_factory=list)
    frames: list[tuple[str, int, str]] = field(default_factory=list)
    error: str | None = None
    summary: str | None = None
    count: int = 0  # failing tests, from the runner's own tally where it gives one

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    def frames_in(self, path: str) -> list[tuple[str, int, str]]:
        return [f for f in self.frames if f[0] == path or f[0].endswith("/" + path)]


def exit_code(text: str) -> int | None:
    m = _EXIT.search(text)
    return int(m.group(1)) if m else None


def parse_tests(text: str) -> TestReport:
    """Failing tests, frames (path, line, function), first error line and the summary of a test run."""
    report = TestReport(exit_code(text))
    for m in _PYTEST_FAILED.finditer(text):
        report.failed.append(m.group(1).split("::")[-1])
    for m in _UNITTEST_FAILED.finditer(text):
        report.failed.append(
            m.group(2).rsplit(".", 2)[-2] + "." + m.group(1) if "." in m.group(2) else m.group(1)
        )
    report.failed = list(dict.fromkeys(report.failed))
    counts = re.search(r"FAILED \((?:failures=(\d+))?(?:, )?(?:errors=(\d+))?", text)
    report.count = sum(int(g) for g in counts.groups() if g) if counts else len(report.failed)
    for m in _PY_FRAME.finditer(text):
        report.frames.append((m.group(1).removeprefix("/workspace/"), int(m.group(2)), m.group(3)))
    for m in _PYTEST_FRAME.finditer(text):
        report.frames.append((m.group(1), int(m.group(2)), m.group(3) or ""))
    e = _PYTEST_E.search(text)
    if e:
        report.error = e.group(1).strip()
    else:
        exc = _EXC_LINE.search(text)
        if exc:
            report.error = exc.group(0).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("[exit code")]
    for ln in reversed(lines):
        if re.search(r"\b\d+ (passed|failed|errors?)\b", ln):
            report.summary = ln.strip("= ")
            break
        if re.match(r"(OK|FAILED)\b", ln):
            ran = next((x for x in lines if re.match(r"Ran \d+ tests?", x)), "")
            report.summary = f"{ran}, {ln}" if ran else ln
            break
    return report


def clip(text: str, n: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def shown_line(observation: str, line: int) -> str | None:
    """The text of ``line`` as a ``read_file`` observation (``cat -n`` style) showed it."""
    m = re.search(rf"^\s*{line}\t(.*)$", observation, re.M)
    return m.group(1) if m else None


def find_hash(text: str, subject: str) -> str | None:
    """The (short or full) hash on the ``git log --oneline`` line whose subject is ``subject``."""
    for ln in text.splitlines():
        parts = ln.strip().split(" ", 1)
        if len(parts) == 2 and parts[1].strip() == subject and re.fullmatch(r"[0-9a-f]{7,40}", parts[0]):
            return parts[0]
    return None
