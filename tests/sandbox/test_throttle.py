"""throttle: a token bucket and a once-per-interval gate, on a fake clock."""

from __future__ import annotations

from architect.sandbox.throttle import Once, TokenBucket

from helpers.clock import FakeClock


def test_a_burst_is_allowed_then_refused():
    clock = FakeClock()
    bucket = TokenBucket(rate=20, burst=10, clock=clock)
    assert [bucket.allow() for _ in range(12)] == [True] * 10 + [False] * 2


def test_tokens_refill_at_the_rate_up_to_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(rate=20, burst=10, clock=clock)
    for _ in range(10):
        bucket.allow()
    clock.now = 0.1  # two tokens
    assert [bucket.allow() for _ in range(3)] == [True, True, False]
    clock.now = 100.0
    assert sum(bucket.allow() for _ in range(50)) == 10


def test_once_is_ready_at_most_once_per_interval():
    clock = FakeClock()
    once = Once(1.0, clock=clock)
    assert once.ready()
    clock.now = 0.5
    assert not once.ready()
    clock.now = 1.0
    assert once.ready()
