"""raters.limits_store keeps its exact counts and single-use markers on the database by default and on Redis when
REDIS_URL is set, with the same answers: a marker is used once; a windowed count lets exactly `limit` hits through,
however many come at once, and says when the window ends; a login count starts its window at its first hit."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from ratings_site.raters import limits_store
from ratings_site.raters.models import SecurityCount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["database", "redis"])
def store(request, settings) -> str:
    if request.param == "redis":
        request.getfixturevalue("empty_redis")
        settings.REDIS_URL = request.getfixturevalue("redis_database")
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": "t"}}
    else:
        settings.REDIS_URL = ""
    return request.param


def _stored_rows() -> int:
    return SecurityCount.objects.count()


def test_a_marker_is_used_once(store):
    name = f"token:{uuid.uuid4().hex}"

    assert limits_store.use_once(name, ttl_seconds=60) is True
    assert limits_store.use_once(name, ttl_seconds=60) is False
    assert limits_store.use_once(name + "-other", ttl_seconds=60) is True
    assert _stored_rows() == (2 if store == "database" else 0)


def test_a_window_lets_exactly_the_limit_through_and_says_when_it_ends(store):
    now = 60 * 16_666_667 + 42.0  # 18 s before the end of a one-minute window
    hits = [limits_store.count_hit("api:addr", window_seconds=60, limit=3, now=now) for _ in range(5)]

    assert [hit.allowed for hit in hits] == [True, True, True, False, False]
    assert {hit.retry_after for hit in hits} == {18}
    assert limits_store.count_hit("api:addr", window_seconds=60, limit=3, now=now + 18).allowed  # the next window
    assert not limits_store.count_hit("api:other", window_seconds=60, limit=0, now=now).allowed


def test_a_login_count_starts_at_its_first_hit(store):
    name = f"login:{uuid.uuid4().hex}"
    assert limits_store.hits(name) == (0, 0)

    for _ in range(3):
        limits_store.add_hit(name, window_seconds=120)

    count, retry_after = limits_store.hits(name)
    assert count == 3 and 118 <= retry_after <= 120


def test_parallel_hits_count_exactly(store):
    if store == "database" and connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (tests/test_api_rate_limit_exact_under_parallel_requests_postgres.py)")
    name = f"api:{uuid.uuid4().hex}"
    allowed: list[bool] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        try:
            start.wait()
            for _ in range(10):
                allowed.append(limits_store.count_hit(name, window_seconds=3600, limit=25).allowed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 80 and allowed.count(True) == 25
