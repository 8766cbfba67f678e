"""The moderators' calls take a constant number of queries, however many ratings they answer with (no query
per rating, per image or per rater)."""

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.rate_limit_helpers import wait_for_a_fresh_window

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"
# Counting the call against the rate limits (one UPDATE per rater and per address: raters.limits_store), finding
# the caller (the key's cached rater), then the call's own: at most a count, an existence check and a page, or two
# aggregates.
MAX_QUERIES = 8


def rate_all(raters, images):
    Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=1 + (n % 10), artifacts=n % 6)
        for n, (rater, image) in enumerate((r, i) for r in raters for i in images)
    )
    Image.objects.filter(pk__in=[i.pk for i in images]).update(
        ratings_count=F("ratings_count") + len(raters), rating_sum=F("rating_sum") + 5 * len(raters)
    )


def queries_for(path: str, fmt: str) -> int:
    client = Client()
    headers = {"apikey": MODERATOR_KEY}
    client.get(path, headers=headers)  # the first call of a key asks the Horde and makes the rater
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{path}{'&' if '?' in path else '?'}format={fmt}", headers=headers)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_query_counts_do_not_grow_with_the_ratings(make_images, fmt):
    wait_for_a_fresh_window()  # a minute's first call also makes its rate-limit rows
    first = make_images(2)
    raters = [Rater.objects.create(username=f"R#{6300 + n}", horde_id=6300 + n) for n in range(4)]
    rate_all(raters[:1], first)
    paths = [
        f"/api/v1/image/ratings/{first[0].public_id}",
        "/api/v1/user/check/6300?divergence=2",
        "/api/v1/user/validate/6300?min_ratings=1",
        "/api/v1/user/ratings/?diverge=1&limit=1000",
    ]
    few = {path: queries_for(path, fmt) for path in paths}

    more = make_images(30)
    rate_all(raters, more)
    rate_all(raters[1:], first)
    many = {path: queries_for(path, fmt) for path in paths}

    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many
