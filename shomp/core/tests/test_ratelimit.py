"""core.ratelimit: fixed windows in the cache, costed hits, refusals that take nothing."""

import pytest

from shomp.core import ratelimit
from shomp.core.exceptions import RateLimited


def hit(cost=1):
    ratelimit.hit(key="test:1", limit=10, window_seconds=60, message="Slow down.", cost=cost)


def test_a_costed_hit_counts_its_cost_and_a_refused_one_counts_nothing(monkeypatch):
    now = ratelimit._now()
    monkeypatch.setattr(ratelimit, "_now", lambda: now)
    hit(cost=6)
    with pytest.raises(RateLimited, match=r"Slow down\."):
        hit(cost=6)
    assert ratelimit.peek(key="test:1", window_seconds=60) == 6
    hit(cost=4)  # exactly the limit
    with pytest.raises(RateLimited):
        hit()
    assert ratelimit.peek(key="test:1", window_seconds=60) == 10
    monkeypatch.setattr(ratelimit, "_now", lambda: now + 60)  # the next window
    hit(cost=10)
