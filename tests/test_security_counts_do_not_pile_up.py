"""The database's security counts (raters.limits_store: single-use markers, login and API rate counts) do not pile
up: each new row first deletes the rows whose time is over, so the table holds about one window's worth with no
cron to run."""

import time

import pytest

from ratings_site.raters import limits_store
from ratings_site.raters.models import SecurityCount

pytestmark = pytest.mark.django_db


def test_a_new_row_deletes_the_expired_ones():
    an_hour_ago = time.time() - 3600
    for n in range(50):
        assert limits_store.count_hit(f"pile-test:address:{n}", window_seconds=60, limit=5, now=an_hour_ago).allowed
    ours = SecurityCount.objects.filter(name__startswith="pile-test:")
    assert ours.count() == 50

    assert limits_store.use_once("pile-test:embed-token-used:fresh", ttl_seconds=600)

    # Only this test's rows are looked at: another test's live server may still be writing rows of its own.
    assert list(ours.values_list("name", flat=True)) == ["pile-test:embed-token-used:fresh"]


def test_a_marker_is_used_once_until_its_time_is_over():
    assert limits_store.use_once("embed-token-used:abc", ttl_seconds=1)
    assert not limits_store.use_once("embed-token-used:abc", ttl_seconds=1)

    time.sleep(1.1)

    assert limits_store.use_once("embed-token-used:abc", ttl_seconds=1)
