"""GET /api/v1/user/validate/{user_id}: a Horde account's ratings, newest first, filtered by rating and
artifacts (ge, le or eq; eq when not said) and by how often their images were rated; `total` counts every
match, `limit` and `offset` page them."""

import pytest
from django.db.models import F
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"
# (rating, artifacts) of the account's ratings, oldest first.
SCORES = [(1, 5), (3, None), (5, 2), (7, 0), (9, 1), (10, 2)]


def rate(rater, image, rating, artifacts=None):
    Rating.objects.create(rater=rater, image=image, rating=rating, artifacts=artifacts)
    Image.objects.filter(pk=image.pk).update(ratings_count=F("ratings_count") + 1, rating_sum=F("rating_sum") + rating)


def validate(query=""):
    response = Client().get(f"/api/v1/user/validate/5701{query}", headers={"apikey": MODERATOR_KEY})
    assert response.status_code == 200, response.content
    return response.json()


def scores(answer):
    return [(row["rating"], row["artifacts"]) for row in answer["ratings"]]


@pytest.fixture
def images(make_images):
    """The account's six ratings; the first three images were also rated by someone else."""
    images = make_images(len(SCORES))
    rater = Rater.objects.create(username="Checked#5701", horde_id=5701)
    other = Rater.objects.create(username="Other#5702", horde_id=5702)
    for image, (rating, artifacts) in zip(images, SCORES):
        rate(rater, image, rating, artifacts)
    for image in images[:3]:
        rate(other, image, 6)
    return images


def test_without_filters_it_lists_every_rating_newest_first_with_its_image(images):
    answer = validate()

    assert answer["total"] == 6
    assert scores(answer) == SCORES[::-1]
    assert answer["ratings"][-1] == {
        "image": images[0].url, "rating": 1, "artifacts": 5, "average": 3.5, "times_rated": 2,
    }
    assert answer["ratings"][0] == {
        "image": images[-1].url, "rating": 10, "artifacts": 2, "average": 10.0, "times_rated": 1,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?rating=7", [(7, 0)]),
        ("?rating=7&rating_comparison=eq", [(7, 0)]),
        ("?rating=7&rating_comparison=ge", [(10, 2), (9, 1), (7, 0)]),
        ("?rating=3&rating_comparison=le", [(3, None), (1, 5)]),
        ("?artifacts=2", [(10, 2), (5, 2)]),
        ("?artifacts=2&artifacts_comparison=ge", [(10, 2), (5, 2), (1, 5)]),
        ("?artifacts=1&artifacts_comparison=le", [(9, 1), (7, 0)]),
        ("?rating=5&rating_comparison=ge&artifacts=2&artifacts_comparison=eq", [(10, 2), (5, 2)]),
        ("?min_ratings=2", [(5, 2), (3, None), (1, 5)]),
        ("?min_ratings=2&rating=3&rating_comparison=ge", [(5, 2), (3, None)]),
        ("?min_ratings=3", []),
        ("?rating=&rating_comparison=&format=json", SCORES[::-1]),
    ],
)
def test_the_filters_keep_only_what_they_say(images, query, expected):
    answer = validate(query)

    assert scores(answer) == expected
    assert answer["total"] == len(expected)


def test_limit_and_offset_page_the_ratings_and_total_counts_them_all(images):
    first = validate("?limit=4")
    second = validate("?limit=4&offset=4")
    beyond = validate("?limit=4&offset=40")

    assert (first["total"], second["total"], beyond["total"]) == (6, 6, 6)
    assert scores(first) + scores(second) == SCORES[::-1]
    assert beyond["ratings"] == []


def test_the_default_page_holds_a_hundred(make_images):
    rater = Rater.objects.create(username="Busy#5703", horde_id=5703)
    for image in make_images(105):
        rate(rater, image, 6)

    response = Client().get("/api/v1/user/validate/5703", headers={"apikey": MODERATOR_KEY})

    answer = response.json()
    assert (answer["total"], len(answer["ratings"])) == (105, 100)
