"""The cost ledger, prices, dry runs, rate limits and secret redaction, on real files and real event loops."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from agentic_pipeline.llm.dryrun import EpisodeShape, describe, estimate, plan
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.prices import load_prices
from agentic_pipeline.llm.ratelimit import RateLimiter, TokenBucket
from agentic_pipeline.llm.retry import retry_after_seconds
from agentic_pipeline.llm.secrets import MASK, redact
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.teacher import TeacherConfig


def test_prices_match_exact_names_after_dropping_dates_and_prefixes() -> None:
    prices = load_prices()
    assert prices.lookup("claude-sonnet-4-5-20250929") == prices.lookup("claude-sonnet-4-5")
    assert prices.lookup("anthropic/claude-opus-5") is not None
    assert prices.lookup("gpt-5.6-sol") is None  # never priced like "gpt-5"
    # Sonnet 4.5: $3 in, $15 out, cache write 1.25x, cache read 0.1x, per MTok.
    usage = Usage(1, 1_000_000, 1_000_000, 1_000_000, 1_000_000)
    assert prices.cost_usd("claude-sonnet-4-5", usage) == pytest.approx(3 + 15 + 3.75 + 0.3)
    assert prices.cost_usd("claude-sonnet-4-5", usage, batch=True) == pytest.approx((3 + 15 + 3.75 + 0.3) / 2)
    assert prices.cost_usd("my-local-qwen", usage) == 0.0


def test_long_prompt_tier_applies_to_the_whole_request() -> None:
    prices = load_prices()
    short = Usage(1, 50_000, 1_000, 0, 40_000)
    long = Usage(1, 50_000, 1_000, 0, 60_000)
    assert prices.cost_usd("claude-haiku-5-5", short) == pytest.approx(
        (50_000 * 0.10 + 1_000 * 0.50 + 40_000 * 0.01) / 1e6
    )
    assert prices.cost_usd("claude-haiku-5-5", long) == pytest.approx(
        (50_000 * 0.50 + 1_000 * 2.50 + 60_000 * 0.05) / 1e6
    )


def test_a_bad_price_table_names_the_file_and_model(tmp_path: Path) -> None:
    bad = tmp_path / "prices.yaml"
    bad.write_text("models:\n  my-model: {input: 1.0}\n")
    with pytest.raises(ValueError, match=r"prices.yaml: model 'my-model' needs at least"):
        load_prices(bad)


def test_ledger_totals_survive_reopening_and_use_wal(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        usd = ledger.record(
            "claude-sonnet-4-5", Usage(1, 100, 50, 10, 1000), episode_id="e1", request_id="msg_1"
        )
        assert usd == pytest.approx((100 * 3 + 50 * 15 + 10 * 3.75 + 1000 * 0.3) / 1e6)
    with Ledger(tmp_path) as ledger:
        totals = ledger.totals()
        assert (totals.requests, totals.input_tokens, totals.output_tokens) == (1, 100, 50)
        assert (totals.cache_creation_input_tokens, totals.cache_read_input_tokens) == (10, 1000)
        assert ledger.total_usd() == pytest.approx(usd)
    mode = sqlite3.connect(tmp_path / "ledger.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_concurrent_asyncio_writers_and_a_second_process_lose_nothing(tmp_path: Path) -> None:
    one, two = Ledger(tmp_path), Ledger(tmp_path)  # two connections: two processes sharing a run directory

    async def writer(ledger: Ledger, n: int) -> None:
        for i in range(50):
            ledger.record("gpt-4o", Usage(1, 10, 1, 0, 0), episode_id=f"w{n}", request_id=f"{n}-{i}")
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(writer(one if n % 2 else two, n) for n in range(8)))

    asyncio.run(main())
    assert one.totals().requests == 400 and two.totals().input_tokens == 4000
    assert len(set(one.request_ids())) == 400
    assert one.total_usd() == pytest.approx(sum(one.episode_usd(f"w{n}") for n in range(8)))
    one.close()
    two.close()


def test_episode_states_make_a_finished_episode_never_run_again(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        assert ledger.start_episode("task-a")
        assert not ledger.is_done("task-a")
        assert ledger.start_episode("task-a")  # a crashed attempt may start again
        ledger.finish_episode("task-a", "traj-123")
        assert not ledger.start_episode("task-a")
        assert ledger.finished() == {"task-a": "traj-123"}
        assert ledger.episode_counts() == {"finished": 1}


def test_dry_run_arithmetic_and_its_stated_assumptions() -> None:
    prices = load_prices()
    shape = EpisodeShape(steps=3, first_prompt=1000, last_prompt=3000, output_per_step=100, shared_prefix=500)
    assert [shape.prompt(k) for k in range(3)] == [1000, 2000, 3000]
    cached = shape.step_usages(caching=True)
    assert [(u.cache_read_input_tokens, u.cache_creation_input_tokens) for u in cached] == [
        (500, 500),
        (1000, 1000),
        (2000, 1000),
    ]
    plain = estimate(shape, "claude-sonnet-4-5", 10, prices, caching=False, batch=False)
    assert plain.usage.requests == 30 and plain.usage.input_tokens == 60_000
    assert plain.usd == pytest.approx(10 * (6000 * 3 + 300 * 15) / 1e6)
    rows = {row.label: row.usd for row in plan(shape, "claude-sonnet-4-5", 10, prices)}
    assert rows["cached + batch (lockstep)"] < rows["cached, live"] < rows["no cache, live"]
    text = "\n".join(describe(shape, "claude-sonnet-4-5", 10, prices))
    assert "nothing is sent" in text and "3 calls" in text and "cache read $0.3" in text


def test_token_bucket_makes_a_request_over_budget_wait_and_settles_to_actuals() -> None:
    async def main() -> None:
        bucket = TokenBucket(per_minute=60)  # one unit per second
        await bucket.take(60)
        with pytest.raises(TimeoutError):  # 30 more units need ~30 s of refill
            await asyncio.wait_for(bucket.take(30), timeout=0.2)
        bucket.give_back(60)
        await asyncio.wait_for(bucket.take(30), timeout=0.2)  # credited back: no wait

        limiter = RateLimiter(itpm=1000, otpm=1000)
        await limiter.reserve(400, 500)
        limiter.settle(400, 900, 500, 100)  # the prompt was bigger, the output smaller
        assert limiter._input.level == pytest.approx(100, abs=1)
        assert limiter._output.level == pytest.approx(900, abs=1)

    asyncio.run(main())


def test_pause_gate_holds_every_worker_until_retry_after() -> None:
    async def main() -> list[str]:
        limiter = RateLimiter()
        order: list[str] = []

        async def worker(name: str) -> None:
            await limiter.before_attempt()
            order.append(name)

        limiter.gate.pause(0.3)
        waiting = [asyncio.create_task(worker(f"w{i}")) for i in range(3)]
        await asyncio.sleep(0.05)
        order.append("still paused")
        await asyncio.gather(*waiting)
        return order

    assert asyncio.run(main())[0] == "still paused"


def test_retry_after_headers() -> None:
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds(None) is None


def test_redact_masks_keys_from_the_environment_and_by_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "plainsecretvalue123")
    text = (
        "failed: Authorization: Bearer abcdefghijklmnop; x-api-key: sk-ant-api03-XYZxyz0123456789; "
        "key=plainsecretvalue123 and sk-proj-ABCDEFGHIJKLMNOPQRSTUV"
    )
    clean = redact(text)
    for secret in ("abcdefghijklmnop", "sk-ant-api03", "plainsecretvalue123", "sk-proj-ABCDEF"):
        assert secret not in clean
    assert clean.count(MASK) >= 4 and clean.startswith("failed: Authorization")


def test_opening_a_teacher_refuses_what_cannot_work_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with TeacherConfig().open(tmp_path) as oracle:
        assert oracle.ledger is None and oracle.policy().name == "oracle" and not oracle.paid
    with pytest.raises(ValueError, match="set ANTHROPIC_API_KEY"):
        TeacherConfig(spec="anthropic:claude-sonnet-5-5").open(tmp_path)
    with pytest.raises(ValueError, match="--base-url"):
        TeacherConfig(spec="openai:qwen").open(tmp_path)
    with pytest.raises(ValueError, match="expected oracle, anthropic:MODEL, openai:MODEL or hf:PATH"):
        TeacherConfig(spec="claude")
    with pytest.raises(ValueError, match="--thinking '12'"):
        TeacherConfig(spec="anthropic:claude-sonnet-5-5", thinking="12")
    with pytest.raises(ValueError, match="no price for 'qwen'"):
        TeacherConfig(spec="openai:qwen", base_url="http://127.0.0.1:1/v1", max_cost_usd=5).open(tmp_path)
    config = TeacherConfig(
        spec="openai:qwen", base_url="http://127.0.0.1:1/v1", concurrency=16, request_timeout=30.0
    )
    with config.open(tmp_path) as teacher:
        policy = teacher.policy()
        assert teacher.policy() is policy  # one policy per run (per distinct overrides)
        hot = teacher.policy(temperature=1.0)
        assert hot is not policy and hot.settings.temperature == 1.0
        # every policy of the run shares the ledger and the one limiter: the limits hold whoever asks
        for p in (policy, hot):
            assert p.settings.limiter is teacher.limiter and p.settings.ledger is teacher.ledger
            assert p.settings.timeout == 30.0
        assert teacher.limiter.max_concurrent == 16
        assert teacher.allows_new() and teacher.total_usd() == 0.0
        teacher.ledger.record("qwen", Usage(1, 10, 10, 0, 0), episode_id="t1")
        teacher.episode_written("t1", "traj-1", kept=False)
        assert teacher.ledger.finished() == {"t1": "traj-1"}
    assert teacher.ledger is None and teacher.total_usd() == 0.0  # closed by the with block


def test_budget_of_a_teacher_stops_new_episodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    with TeacherConfig(spec="anthropic:claude-sonnet-5-5", max_cost_usd=0.01).open(tmp_path) as teacher:
        assert teacher.allows_new()
        with teacher.episode("t1"):  # marks the episode started; requests inside are booked to it
            teacher.ledger.record("claude-sonnet-5-5", Usage(1, 5_000, 0, 0, 0), episode_id="t1")  # $0.01
        assert teacher.ledger.episode_counts() == {"started": 1}
        assert not teacher.allows_new() and teacher.budget_reached
    assert teacher.total_usd() == pytest.approx(0.01)


def test_dry_run_lines_for_each_teacher(tmp_path: Path) -> None:
    def lines(spec: str, count: int) -> list[str]:
        with TeacherConfig(spec=spec, dry_run=True).open(
            tmp_path
        ) as teacher:  # no key needed, nothing opened
            assert teacher.ledger is None
            with pytest.raises(RuntimeError):
                teacher.policy()
            return teacher.dry_run_lines(count)

    assert "$0" in lines("oracle", 100)[0]
    text = lines("anthropic:claude-sonnet-4-5", 1000)
    assert any("$      405.00" in line for line in text) and any("$      156.60" in line for line in text)
    assert "no price for my-model" in "\n".join(lines("openai:my-model", 10))
