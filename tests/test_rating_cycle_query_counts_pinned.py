"""The rating loop's requests run exactly these database queries (issue 24: the header reads the rater's row, Undo is
known without asking after a rating, the preferred image comes out of the queue's top), counted with a rater who has
a history, so that a change that adds one is seen here. The cache's own table is left out of the count: with Redis
(production) the cache is no database query at all."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

# Each transaction's BEGIN and COMMIT count too (as the test database logs them, on SQLite and PostgreSQL alike).
# The htmx POST: the rater, the image; the rating's transaction (the rater's lock, a retry's answer, the claim, which
# answers the image's new count so that only the image's last wanted rating deletes its queue entry, the rating, the
# ledger line in one INSERT … WHERE NOT EXISTS, the rater's counters, the served row, the flood count); the next
# card's pending check with the queue top (one statement: rows, not models) and the chosen images read whole, the
# holds of the card's and the upcoming image (one INSERT … ON CONFLICT: RATING_HOLD_SECONDS), and the images left
# (counted here, as few are left: with many left the card carries the figure and nothing is counted,
# tests/test_images_left_carried_by_the_card.py). Before issue 24: 20 (the header's two counts, Undo's query, the
# preferred image's own query); 17 before the second pass (the queue entry's DELETE on every rating, the ledger's
# SELECT before its INSERT, the pending check on its own, the top's 32 entries built as models with their image and
# dataset); 15 before the holds.
HTMX_RATING_POST = 16
# rating/new: rater, the rate counts (the rater's and the address's in one UPDATE), the pending check with the queue
# top, the chosen image, the served row (one INSERT … ON CONFLICT, no transaction of its own). Before: 8 (one UPDATE
# per rate count), then 7 (the pending check on its own, the top built as models, the served row's BEGIN and COMMIT).
API_RATING_NEW = 5
# rating/<id>: rater, the rate counts, the image with its serve time to this rater, then the rating's transaction as
# on the page. Before: 17, then 16 (the serve time read on its own, the queue DELETE and the ledger SELECT).
API_RATING_POST = 13


@pytest.fixture(autouse=True)
def no_flood_pause(settings):
    settings.RATINGS_PER_MINUTE_MAX = 1000


def _database_queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "horde_ratings_cache" not in query["sql"]]


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _post_the_card(client, html: str, rating: str):
    return client.post(
        re.search(r'hx-post="(/images/[^"]+/rate/)"', html).group(1),
        {"rating": rating, "card": _field(html, "card"), "upcoming": _field(html, "upcoming")},
        headers={"HX-Request": "true", "X-CSRFToken": _field(html, "csrfmiddlewaretoken")},
    )


def test_an_htmx_rating_post(login, make_images):
    from django.test.utils import CaptureQueriesContext

    client = login(DEMO_KEY)
    make_images(12)
    html = client.get("/rate/").content.decode()
    for rating in ("5", "6", "7"):  # a history, and an answer that shows Undo
        html = _post_the_card(client, html, rating).content.decode()

    with CaptureQueriesContext(connection) as captured:
        response = _post_the_card(client, html, "8")

    assert response.status_code == 200 and "Saved: 8" in response.content.decode()
    assert 'id="undo-form"' in response.content.decode()
    queries = _database_queries(captured)
    assert len(queries) == HTMX_RATING_POST, "\n".join(queries)


def test_an_api_cycle(make_images):
    from django.test.utils import CaptureQueriesContext

    make_images(12)
    for _ in range(3):  # the key resolved and remembered, and a history
        image_id = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()["id"]
        assert api_rate(image_id, {"rating": 6}, apikey=DEMO_KEY).status_code == 201

    with CaptureQueriesContext(connection) as served:
        answer = api_get("/api/v1/rating/new", apikey=DEMO_KEY)
    with CaptureQueriesContext(connection) as rated:
        response = api_rate(answer.json()["id"], {"rating": 7, "artifacts": 1}, apikey=DEMO_KEY)

    assert response.status_code == 201
    assert Rating.objects.filter(rater=Rater.objects.get(horde_id=1001)).count() == 4
    new_queries, rate_queries = _database_queries(served), _database_queries(rated)
    assert len(new_queries) == API_RATING_NEW, "\n".join(new_queries)
    assert len(rate_queries) == API_RATING_POST, "\n".join(rate_queries)
