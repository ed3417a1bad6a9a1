"""What the data cost: the SQLite cost ledgers (``agentic_pipeline.llm.ledger``) found in a folder.

Every paid command writes ``ledger.sqlite`` in its run folder: ``generate ...`` in the data folder,
``convert --expand`` in ``<data>/.cache/expand``, ``tasks synthesize`` next to its task file,
``eval`` in its output folder. Each request is booked to an episode; the stage of an episode is its
key's prefix (``pref:``, ``expand:``, ``synth:``, ``eval:``) or else the kind of the record it
produced. Ledgers are opened read-only: a report never changes a run's state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agentic_pipeline.llm.ledger import LEDGER_FILE

PREFIX_STAGES = {
    "pref": "preferences",
    "expand": "convert --expand",
    "synth": "tasks synthesize",
    "eval": "eval",
}


@dataclass
class CostRow:
    ledger: str
    model: str
    stage: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_tokens: int = 0
    batch: int = 0  # requests made through a batch API (half price)
    usd: float = 0.0


_QUERY = """
SELECT r.model, COALESCE(r.episode_id, ''), e.record_id, COUNT(*), SUM(r.input_tokens), SUM(r.output_tokens),
       SUM(r.cache_creation_input_tokens + r.cache_read_input_tokens), SUM(r.batch), SUM(r.usd)
FROM requests r LEFT JOIN episodes e ON e.episode_id = r.episode_id
GROUP BY r.model, r.episode_id
"""


def find_ledgers(folders: Iterable[Path | None]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        if folder is not None and Path(folder).is_dir():
            found += [p for p in sorted(Path(folder).rglob(LEDGER_FILE)) if p not in found]
    return found


def _stage(episode: str, record_id: str | None, kinds: dict[str, str]) -> str:
    prefix = episode.split(":", 1)[0] if ":" in episode else ""
    if prefix in PREFIX_STAGES:
        return PREFIX_STAGES[prefix]
    if record_id and record_id in kinds:
        return f"generate {kinds[record_id]}"
    return "generate" if episode else "not booked to an episode"


def ledger_costs(paths: list[Path], kinds: dict[str, str], root: Path) -> list[CostRow]:
    """One row per (ledger, model, stage); ``kinds`` maps record ids to their kind."""
    rows: dict[tuple[str, str, str], CostRow] = {}
    for path in paths:
        try:
            label = str(path.relative_to(root))
        except ValueError:
            label = str(path)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = db.execute(_QUERY).fetchall()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{path}: not a cost ledger ({exc})") from None
        finally:
            db.close()
        for model, episode, record_id, n, inp, out, cache, batch, usd in found:
            key = (label, model, _stage(episode, record_id, kinds))
            row = rows.setdefault(key, CostRow(*key))
            row.requests += n
            row.input_tokens += inp or 0
            row.output_tokens += out or 0
            row.cache_tokens += cache or 0
            row.batch += batch or 0
            row.usd += usd or 0.0
    return sorted(rows.values(), key=lambda r: (r.ledger, r.model, r.stage))
