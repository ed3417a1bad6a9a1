"""The cost ledger: what every request cost, and which episodes are done, in SQLite in the run directory.

Why SQLite: it survives a crash (WAL journal, one transaction per write), several processes
sharing a run directory (``--shard i/N`` on one machine) can write at once, and the running total is
one row read. A re-run opens the same file: ``is_done`` says which episodes already produced their
record, so a resumed job never pays for them again. Dollars come from ``configs/prices.yaml``
(:mod:`agentic_pipeline.llm.prices`); token counts are the ones the server reported.

Episode states: ``started`` (a request may have been paid for, no record yet: a re-run does it again),
``finished`` (its record, kept or rejected, is written: never again).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_pipeline.llm.prices import PriceTable, load_prices
from agentic_pipeline.llm.usage import Usage

LEDGER_FILE = "ledger.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    episode_id TEXT,
    model TEXT NOT NULL,
    request_id TEXT,
    batch INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_creation_input_tokens INTEGER NOT NULL,
    cache_read_input_tokens INTEGER NOT NULL,
    usd REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_episode ON requests (episode_id);
CREATE TABLE IF NOT EXISTS episodes (
    episode_id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('started', 'finished')),
    record_id TEXT,
    outcome TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    started_at REAL NOT NULL,
    finished_at REAL
);
CREATE TABLE IF NOT EXISTS totals (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    requests INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_creation_input_tokens INTEGER NOT NULL,
    cache_read_input_tokens INTEGER NOT NULL,
    usd REAL NOT NULL
);
INSERT OR IGNORE INTO totals VALUES (1, 0, 0, 0, 0, 0, 0.0);
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    model TEXT NOT NULL,
    state TEXT NOT NULL,
    custom_ids TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_results (
    custom_id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    result TEXT NOT NULL
);
"""

_TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


@dataclass
class Totals:
    requests: int
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    usd: float

    def usage(self) -> Usage:
        return Usage(self.requests, *(getattr(self, name) for name in _TOKEN_FIELDS))


class Ledger:
    """One SQLite file; every method is one short transaction, safe to call from many asyncio tasks."""

    def __init__(self, path: Path, prices: PriceTable | None = None) -> None:
        path = Path(path)
        # A run directory (created if missing) or the database file itself.
        self.path = path if path.suffix in (".sqlite", ".sqlite3", ".db") else path / LEDGER_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.prices = prices or load_prices()
        # One connection; asyncio tasks share a thread, the lock covers threads (bench, executors).
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed row survives a crash
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._db.execute(sql, args)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- requests and dollars --------------------------------------------------------------------

    def _cost_statements(
        self, model: str, usage: Usage, episode_id: str | None, request_id: str | None, batch: bool
    ) -> tuple[float, list[tuple[str, tuple[Any, ...]]]]:
        usd = self.prices.cost_usd(model, usage, batch=batch)
        tokens = tuple(int(getattr(usage, name)) for name in _TOKEN_FIELDS)
        requests = max(int(usage.requests), 1)
        # A request booked to an episode the runner never announced still makes it 'started'.
        started: list[tuple[str, tuple[Any, ...]]] = []
        if episode_id is not None and not batch:
            started.append(
                (
                    "INSERT OR IGNORE INTO episodes (episode_id, state, started_at) VALUES (?, 'started', ?)",
                    (episode_id, time.time()),
                )
            )
        return usd, started + [
            (
                "INSERT INTO requests (ts, episode_id, model, request_id, batch, input_tokens, output_tokens,"
                " cache_creation_input_tokens, cache_read_input_tokens, usd) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (time.time(), episode_id, model, request_id, int(batch), *tokens, usd),
            ),
            (
                "UPDATE totals SET requests = requests + ?, input_tokens = input_tokens + ?,"
                " output_tokens = output_tokens + ?,"
                " cache_creation_input_tokens = cache_creation_input_tokens + ?,"
                " cache_read_input_tokens = cache_read_input_tokens + ?, usd = usd + ? WHERE one = 1",
                (requests, *tokens, usd),
            ),
        ]

    def record(
        self,
        model: str,
        usage: Usage,
        episode_id: str | None = None,
        request_id: str | None = None,
        batch: bool = False,
    ) -> float:
        """Store one request's usage as the server reported it; return its dollars."""
        usd, statements = self._cost_statements(model, usage, episode_id, request_id, batch)
        self._write(statements)
        return usd

    def total_usd(self) -> float:
        """The running total in dollars, across every process writing this run directory."""
        return float(self._read("SELECT usd FROM totals WHERE one = 1")[0][0])

    def totals(self) -> Totals:
        return Totals(
            *self._read(f"SELECT requests, {', '.join(_TOKEN_FIELDS)}, usd FROM totals WHERE one = 1")[0]
        )

    def request_ids(self) -> list[str]:
        return [row[0] for row in self._read("SELECT request_id FROM requests WHERE request_id IS NOT NULL")]

    def episode_usd(self, episode_id: str) -> float:
        rows = self._read("SELECT COALESCE(SUM(usd), 0) FROM requests WHERE episode_id = ?", (episode_id,))
        return float(rows[0][0])

    # -- episodes --------------------------------------------------------------------------------

    def start_episode(self, episode_id: str) -> bool:
        """Mark ``episode_id`` started; False if it already finished (the caller skips it)."""
        if self.is_done(episode_id):
            return False
        self._write(
            [
                (
                    "INSERT INTO episodes (episode_id, state, started_at) VALUES (?, 'started', ?)"
                    " ON CONFLICT (episode_id) DO UPDATE SET attempts = attempts + 1, started_at = excluded.started_at",
                    (episode_id, time.time()),
                )
            ]
        )
        return True

    def finish_episode(self, episode_id: str, record_id: str, outcome: str = "kept") -> None:
        """Call after the episode's record is durably written (kept or rejected)."""
        self._write(
            [
                (
                    "INSERT INTO episodes (episode_id, state, record_id, outcome, started_at, finished_at)"
                    " VALUES (?, 'finished', ?, ?, ?, ?) ON CONFLICT (episode_id) DO UPDATE SET"
                    " state = 'finished', record_id = excluded.record_id, outcome = excluded.outcome,"
                    " finished_at = excluded.finished_at",
                    (episode_id, record_id, outcome, time.time(), time.time()),
                )
            ]
        )

    def is_done(self, episode_id: str) -> bool:
        rows = self._read("SELECT state FROM episodes WHERE episode_id = ?", (episode_id,))
        return bool(rows) and rows[0][0] == "finished"

    def finished(self) -> dict[str, str]:
        """Finished episode id -> the id of the record it produced."""
        return dict(self._read("SELECT episode_id, record_id FROM episodes WHERE state = 'finished'"))

    def episode_counts(self) -> dict[str, int]:
        return dict(self._read("SELECT state, COUNT(*) FROM episodes GROUP BY state"))

    # -- batches (agentic_pipeline.llm.batch) ----------------------------------------------------

    def save_batch(self, batch_id: str, stage: str, model: str, custom_ids: list[str]) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, 'submitted', ?, ?)",
                    (batch_id, stage, model, json.dumps(custom_ids), time.time()),
                )
            ]
        )

    def open_batches(self, stage: str) -> list[tuple[str, str, list[str]]]:
        """(batch id, model, custom ids) of the stage's batches whose results aren't all collected."""
        rows = self._read(
            "SELECT batch_id, model, custom_ids FROM batches WHERE stage = ? AND state = 'submitted'",
            (stage,),
        )
        return [(batch_id, model, json.loads(ids)) for batch_id, model, ids in rows]

    def close_batch(self, batch_id: str) -> None:
        self._write([("UPDATE batches SET state = 'collected' WHERE batch_id = ?", (batch_id,))])

    def save_batch_result(
        self,
        stage: str,
        batch_id: str,
        custom_id: str,
        result: dict[str, Any],
        model: str,
        usage: Usage | None,
    ) -> None:
        """Store one result and, in the same transaction, its cost: collected twice, paid once."""
        with self._lock:
            seen = self._db.execute(
                "SELECT 1 FROM batch_results WHERE custom_id = ?", (custom_id,)
            ).fetchone()
        if seen:
            return
        statements: list[tuple[str, tuple[Any, ...]]] = [
            (
                "INSERT INTO batch_results VALUES (?, ?, ?, ?)",
                (custom_id, stage, batch_id, json.dumps(result)),
            )
        ]
        if usage is not None:
            statements += self._cost_statements(model, usage, custom_id, f"{batch_id}/{custom_id}", True)[1]
        self._write(statements)

    def batch_results(self, stage: str) -> dict[str, dict[str, Any]]:
        rows = self._read("SELECT custom_id, result FROM batch_results WHERE stage = ?", (stage,))
        return {custom_id: json.loads(result) for custom_id, result in rows}
