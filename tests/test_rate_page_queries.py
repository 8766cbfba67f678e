"""GET /rate/ and POST a rating cost a fixed number of queries, however many images and ratings exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

# Upper bounds: session, rater, queue (and the rater's unanswered check image), images left, undoable rating,
# counters, dataset list, the rater's row lock, the rating's writes (its served row forgotten), ledger line and
# flood count, savepoints; the htmx answer also renders the next card.
RATE_PAGE_MAX = 11
RATE_POST_MAX = 14
RATE_POST_HTMX_MAX = 20


@pytest.fixture(autouse=True)
def predictable_queue(settings):
    settings.CAPTCHA_RATE = 0.0  # a captcha draw adds a query, at random
    settings.RATINGS_PER_MINUTE_MAX = 1000


def _add_prior_ratings(rater: Rater, images: list[Image]) -> None:
    ratings = Rating.objects.bulk_create(Rating(rater=rater, image=image, rating=5, artifacts=1) for image in images)
    KudosReward.objects.bulk_create(KudosReward(rater=rater, rating=rating, amount=5) for rating in ratings)


def _count(assert_max_num_queries, bound: int, request: Callable) -> int:
    with assert_max_num_queries(bound) as captured:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return len(captured)


def _measure(client: Client, assert_max_num_queries, *, plain: Image, htmx: Image) -> dict[str, int]:
    token = csrf_token(client)
    return {
        "GET /rate/": _count(assert_max_num_queries, RATE_PAGE_MAX, lambda: client.get("/rate/")),
        "POST rating": _count(
            assert_max_num_queries,
            RATE_POST_MAX,
            lambda: client.post(f"/images/{plain.public_id}/rate/", {"rating": "7", "csrfmiddlewaretoken": token}),
        ),
        "POST rating (htmx)": _count(
            assert_max_num_queries,
            RATE_POST_HTMX_MAX,
            lambda: client.post(
                f"/images/{htmx.public_id}/rate/",
                {"rating": "4", "artifacts": "2"},
                headers={"HX-Request": "true", "X-CSRFToken": token},
            ),
        ),
    }


def test_the_counts_do_not_grow_with_images_and_ratings(login, make_images, django_assert_max_num_queries):
    client = login(DEMO_KEY)
    login(SECOND_KEY)
    me, someone = Rater.objects.get(horde_id=1001), Rater.objects.get(horde_id=1006)
    client.get("/rate/")  # the welcome message is shown and gone

    few = make_images(5)
    small = _measure(client, django_assert_max_num_queries, plain=few[0], htmx=few[1])

    many = make_images(45)
    _add_prior_ratings(me, many[:20])
    _add_prior_ratings(someone, many[20:40])
    large = _measure(client, django_assert_max_num_queries, plain=many[40], htmx=many[41])

    assert Image.objects.count() == 50
    assert Rating.objects.filter(rater=me).count() == 24
    assert small == large, f"with 5 images and no ratings: {small}; with 50 images and 20 ratings: {large}"
