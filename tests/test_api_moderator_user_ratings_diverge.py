"""GET /api/v1/user/ratings/: every rater's ratings, newest first, with the rater's name; `diverge=N` keeps the
ratings at least N from their image's average; `limit` (50 unless said) and `offset` page them, `total` counts
every match. The score filters of /v1/user/validate apply too (the horde-sdk sends them)."""

import pytest
from django.db.models import F
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"


def rate(rater, image, rating, artifacts=None):
    Rating.objects.create(rater=rater, image=image, rating=rating, artifacts=artifacts)
    Image.objects.filter(pk=image.pk).update(ratings_count=F("ratings_count") + 1, rating_sum=F("rating_sum") + rating)


def listing(query=""):
    response = Client().get(f"/api/v1/user/ratings/{query}", headers={"apikey": MODERATOR_KEY})
    assert response.status_code == 200, response.content
    return response.json()


def rows(answer):
    return [(row["username"], row["rating"]) for row in answer["ratings"]]


@pytest.fixture
def images(make_images):
    """Image A: 9, 9, 3 (average 7); image B: 4, 6 (average 5); rated in this order."""
    a, b = make_images(2)
    ann, ben, cat = (Rater.objects.create(username=f"{n}#{5800 + i}", horde_id=5800 + i)
                     for i, n in enumerate(["Ann", "Ben", "Cat"]))
    rate(ann, a, 9, artifacts=0)
    rate(ben, a, 9)
    rate(cat, a, 3, artifacts=4)
    rate(ann, b, 4)
    rate(ben, b, 6, artifacts=1)
    return a, b


def test_it_lists_every_raters_ratings_newest_first(images):
    a, b = images

    answer = listing()

    assert answer["total"] == 5
    assert rows(answer) == [("Ben#5801", 6), ("Ann#5800", 4), ("Cat#5802", 3), ("Ben#5801", 9), ("Ann#5800", 9)]
    assert answer["ratings"][0] == {
        "username": "Ben#5801", "image": b.url, "rating": 6, "artifacts": 1, "average": 5.0, "times_rated": 2,
    }
    assert answer["ratings"][2] == {
        "username": "Cat#5802", "image": a.url, "rating": 3, "artifacts": 4, "average": 7.0, "times_rated": 3,
    }


@pytest.mark.parametrize(
    ("diverge", "expected"),
    [
        (0, [("Ben#5801", 6), ("Ann#5800", 4), ("Cat#5802", 3), ("Ben#5801", 9), ("Ann#5800", 9)]),
        (1, [("Ben#5801", 6), ("Ann#5800", 4), ("Cat#5802", 3), ("Ben#5801", 9), ("Ann#5800", 9)]),
        (2, [("Cat#5802", 3), ("Ben#5801", 9), ("Ann#5800", 9)]),
        (4, [("Cat#5802", 3)]),
        (5, []),
    ],
)
def test_diverge_keeps_the_ratings_that_far_from_their_images_average(images, diverge, expected):
    answer = listing(f"?diverge={diverge}")

    assert rows(answer) == expected
    assert answer["total"] == len(expected)


def test_limit_and_offset_page_them_and_total_counts_them_all(images):
    first = listing("?limit=2")
    rest = listing("?limit=2&offset=2&diverge=2")

    assert (first["total"], rows(first)) == (5, [("Ben#5801", 6), ("Ann#5800", 4)])
    assert (rest["total"], rows(rest)) == (3, [("Ann#5800", 9)])


def test_the_default_page_holds_fifty(make_images):
    rater = Rater.objects.create(username="Busy#5810", horde_id=5810)
    for image in make_images(55):
        rate(rater, image, 6)

    answer = listing()

    assert (answer["total"], len(answer["ratings"])) == (55, 50)


def test_the_score_filters_the_horde_sdk_sends_apply_too(images):
    assert rows(listing("?rating=9&rating_comparison=eq")) == [("Ben#5801", 9), ("Ann#5800", 9)]
    assert rows(listing("?artifacts=1&artifacts_comparison=ge&min_ratings=3")) == [("Cat#5802", 3)]
