"""The API's rate limits hold across processes: two gunicorn servers on one database count one address's calls
together, in the database cache (the default) and in Redis (REDIS_URL), so a client cannot double its allowance
by landing on another worker or host."""

import uuid

from tests.rate_limit_helpers import wait_for_a_fresh_window
from tests.redis_helpers import needs_redis
from tests.served_site import served_site  # noqa: F401  (fixtures)

LIMIT = 6


def _alternate_until_refused(first, second) -> list[tuple[str, int]]:
    answers = []
    for n in range(LIMIT + 2):
        site = first if n % 2 == 0 else second
        status, body = site.get("/api/v1/teams")
        answers.append(("first" if site is first else "second", status))
        if status == 429:
            assert "Too many requests" in body
    return answers


def _two_servers_on_one_database(served_site, extra: dict[str, str]):  # noqa: F811
    env = {"API_REQUESTS_PER_MINUTE_PER_ADDRESS": str(LIMIT), **extra}
    first = served_site(workers=1, env=env)
    database = first.log_path.parent / "db.sqlite3"
    second = served_site(workers=1, env={**env, "DATABASE_URL": f"sqlite:///{database}"})
    return first, second


def _assert_counted_together(answers):
    statuses = [status for _, status in answers]
    # Each server alone saw LIMIT / 2 + 1 calls, under the limit: only a shared count refuses.
    assert statuses[:LIMIT] == [200] * LIMIT, answers
    assert statuses[LIMIT:] == [429, 429], answers
    assert {site for site, status in answers if status == 429} == {"first", "second"}


def test_the_database_cache_counts_both_servers_together(served_site):  # noqa: F811
    first, second = _two_servers_on_one_database(served_site, {})
    wait_for_a_fresh_window(room=30)

    _assert_counted_together(_alternate_until_refused(first, second))


@needs_redis
def test_redis_counts_both_servers_together(served_site, empty_redis, redis_database):  # noqa: F811
    # This session's own Redis database (tests/redis_helpers.py) and a key prefix of its own.
    first, second = _two_servers_on_one_database(
        served_site, {"REDIS_URL": redis_database, "CACHE_KEY_PREFIX": uuid.uuid4().hex}
    )
    wait_for_a_fresh_window(room=30)

    _assert_counted_together(_alternate_until_refused(first, second))
