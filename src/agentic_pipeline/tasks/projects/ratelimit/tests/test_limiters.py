import pytest

from ratelimit.limiters import KeyedLimiter, SlidingWindowLog, TokenBucket


class FakeClock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


def test_bucket_validation(clock):
    with pytest.raises(ValueError):
        TokenBucket(0, 5, clock)
    with pytest.raises(ValueError):
        TokenBucket(1, 0, clock)
    with pytest.raises(ValueError):
        TokenBucket(1, 5, clock).try_acquire(6)
    assert TokenBucket(0.5, 1, clock).try_acquire()


def test_bucket_starts_full_and_drains(clock):
    bucket = TokenBucket(rate=1, capacity=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert bucket.tokens == 0


def test_bucket_refills_at_rate_up_to_capacity(clock):
    bucket = TokenBucket(rate=2, capacity=4, clock=clock)
    assert bucket.try_acquire(4)
    clock.now += 1.5
    assert bucket.try_acquire(3)
    assert not bucket.try_acquire(0.5)
    clock.now += 100
    assert bucket.try_acquire(4)
    assert not bucket.try_acquire(0.1)


def test_bucket_exact_cost_is_allowed(clock):
    bucket = TokenBucket(rate=1, capacity=2, clock=clock)
    assert bucket.try_acquire(2)
    clock.now += 2
    assert bucket.try_acquire(2)


def test_bucket_wait_time(clock):
    bucket = TokenBucket(rate=4, capacity=8, clock=clock)
    assert bucket.wait_time(8) == 0.0
    bucket.try_acquire(8)
    assert bucket.wait_time() == 0.25
    assert bucket.wait_time(6) == 1.5
    clock.now += 1
    assert bucket.wait_time(6) == 0.5
    assert bucket.wait_time(4) == 0.0


def test_window_validation(clock):
    with pytest.raises(ValueError):
        SlidingWindowLog(0, 10, clock)
    with pytest.raises(ValueError):
        SlidingWindowLog(1, 0, clock)
    assert SlidingWindowLog(1, 0.1, clock).remaining() == 1


def test_window_allows_limit_then_blocks(clock):
    window = SlidingWindowLog(limit=3, window=10, clock=clock)
    results = []
    for offset in [0, 1, 2, 3]:
        clock.now = 100 + offset
        results.append(window.try_acquire())
    assert results == [True, True, True, False]
    assert window.remaining() == 0
    assert window.retry_after() == 7


def test_window_request_exactly_window_ago_has_left(clock):
    window = SlidingWindowLog(limit=2, window=10, clock=clock)
    window.try_acquire()
    clock.now += 4
    window.try_acquire()
    clock.now = 109.999
    assert not window.try_acquire()
    clock.now = 110
    assert window.remaining() == 1
    assert window.try_acquire()
    assert window.retry_after() == 4


def test_window_blocked_requests_are_not_logged(clock):
    window = SlidingWindowLog(limit=1, window=5, clock=clock)
    assert window.try_acquire()
    clock.now += 3
    assert not window.try_acquire()
    clock.now += 2
    assert window.try_acquire()
    assert len(window.log) == 1
    assert window.retry_after() == 5


def test_window_retry_after_zero_when_open(clock):
    window = SlidingWindowLog(limit=2, window=5, clock=clock)
    window.try_acquire()
    assert window.retry_after() == 0.0
    assert window.remaining() == 1


def test_keyed_limiter_separates_keys(clock):
    keyed = KeyedLimiter(lambda: SlidingWindowLog(2, 60, clock))
    assert [keyed.try_acquire("ann") for _ in range(3)] == [True, True, False]
    assert keyed.try_acquire("bob")
    assert sorted(keyed.limiters) == ["ann", "bob"]


def test_keyed_limiter_prune(clock):
    keyed = KeyedLimiter(lambda: SlidingWindowLog(2, 60, clock))
    keyed.try_acquire("ann")
    clock.now += 30
    keyed.try_acquire("bob")
    clock.now += 30
    assert keyed.prune() == 1
    assert list(keyed.limiters) == ["bob"]
    assert keyed.prune() == 0


def test_keyed_limiter_prune_buckets(clock):
    keyed = KeyedLimiter(lambda: TokenBucket(1, 5, clock))
    keyed.try_acquire("ann")
    clock.now += 0.5
    keyed.try_acquire("bob")
    clock.now += 0.5
    assert keyed.prune() == 1
    assert list(keyed.limiters) == ["bob"]
