"""raters.limits_store.count_hits counts several names at once, each exactly as count_hit alone would (to its own
limit, whatever the other's), in one statement once their rows exist: one UPDATE … RETURNING on the database, one
Lua script on Redis. The API counts a request per rater and per address this way (api.throttles), so that a call
pays one round trip for both, and parallel calls sharing a name in either order neither deadlock nor miscount."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from ratings_site.raters import limits_store
from tests.test_limits_store_exact_on_the_database_and_redis import store  # noqa: F401  (a fixture: each store)

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_name_counts_to_its_own_limit(store):
    rater, address = f"rater:{uuid.uuid4().hex}", f"address:{uuid.uuid4().hex}"
    now = 1_700_000_000.0 - 1_700_000_000.0 % 60 + 12  # 48 s left in the window

    answers = [limits_store.count_hits({rater: 2, address: 4}, window_seconds=60, now=now) for _ in range(5)]

    assert [a[rater].allowed for a in answers] == [True, True, False, False, False]
    assert [a[address].allowed for a in answers] == [True, True, True, True, False]
    assert {a[rater].retry_after for a in answers} == {48}
    assert limits_store.count_hits({rater: 0}, window_seconds=60, now=now) == {rater: (False, 48)}
    # count_hit is the same count: the rater's row is at its limit, the address's one below.
    assert not limits_store.count_hit(rater, window_seconds=60, limit=2, now=now).allowed
    assert limits_store.count_hit(address, window_seconds=60, limit=6, now=now).allowed


def test_both_counted_in_one_statement_once_their_rows_exist():
    names = {f"rater:{uuid.uuid4().hex}": 10, f"address:{uuid.uuid4().hex}": 10}
    limits_store.count_hits(names, window_seconds=3600)  # the rows made

    with CaptureQueriesContext(connection) as captured:
        answers = limits_store.count_hits(names, window_seconds=3600)

    assert all(hit.allowed for hit in answers.values())
    assert len(captured.captured_queries) == 1, captured.captured_queries
    assert captured.captured_queries[0]["sql"].startswith("UPDATE")


def test_parallel_pairs_in_either_order_count_exactly(store):
    if store == "database" and connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    shared, own = f"address:{uuid.uuid4().hex}", [f"rater:{uuid.uuid4().hex}" for _ in range(2)]
    allowed: dict[str, list[bool]] = {name: [] for name in (shared, *own)}
    start = threading.Barrier(8)

    def hammer(n: int) -> None:
        pair = {shared: 30, own[n % 2]: 25} if n < 4 else {own[n % 2]: 25, shared: 30}
        try:
            start.wait()
            for _ in range(10):
                for name, hit in limits_store.count_hits(pair, window_seconds=3600).items():
                    allowed[name].append(hit.allowed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert allowed[shared].count(True) == 30 and len(allowed[shared]) == 80
    assert [allowed[name].count(True) for name in own] == [25, 25]
