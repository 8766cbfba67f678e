"""The API's rate limits count exactly under parallel requests on the default setup (no Redis): 200 calls from one
address at the same moment against a limit of 120 a minute let exactly 120 through, the rest 429 with Retry-After.
The count is one row per address and minute, raised by a conditional UPDATE (raters.limits_store); the database
cache, production's default cache, reads then writes, and let 157–226 of 200 through such a limit.

Real concurrency needs PostgreSQL (SQLite serialises writers), so this runs only there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.database_cache_helpers import database_cache  # noqa: F401  (a fixture)
from tests.rate_limit_helpers import wait_for_a_fresh_window
from tests.rating_api_helpers import api_get

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_cache"),
]

LIMIT = 120
CALLS = 200
THREADS = 25  # each with its own database connection: PostgreSQL's 100 are shared with other test runs


def _calls_in_parallel(address: str) -> list[tuple[int, str | None]]:
    """CALLS calls of GET /api/v1/teams from `address`, THREADS at a time from one starting moment."""
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def caller(share: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(share):
                response = api_get("/api/v1/teams", address=address)
                with lock:
                    answers.append((response.status_code, response.get("Retry-After")))
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, args=(CALLS // THREADS,)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return answers


def test_200_parallel_calls_against_a_limit_of_120_let_exactly_120_through(settings):
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = LIMIT
    wait_for_a_fresh_window(room=45)

    answers = _calls_in_parallel("198.51.100.77")

    statuses = [status for status, _ in answers]
    assert len(statuses) == CALLS
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == CALLS - LIMIT
    assert all(1 <= int(wait) <= 60 for status, wait in answers if status == 429)
