"""A moderator finds an image in the admin by the start of its public id (its first 8 characters or more, dashes
and case as they come), or by its whole id; the ratings, skips and check answers lists find an image's rows the
same way. Shorter words search captions and URLs."""

from __future__ import annotations

import uuid

import pytest

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating


@pytest.fixture
def images(make_images) -> list[Image]:
    """Three images whose ids share their first 7 digits (two their first 8), and one whose id is all f."""
    made = make_images(4)
    ids = [
        "abcdef1a-0000-4000-8000-000000000001",
        "abcdef1b-0000-4000-8000-000000000002",
        "abcdef1b-ff00-4000-8000-000000000003",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ]
    for image, public_id in zip(made, ids):
        Image.objects.filter(pk=image.pk).update(public_id=uuid.UUID(public_id))
    return list(Image.objects.filter(pk__in=[i.pk for i in made]).order_by("pk"))


def _listed(client, url: str, term: str, images: list[Image]) -> list[int]:
    html = client.get(url, {"q": term}).content.decode()
    return [n for n, image in enumerate(images) if str(image.public_id) in html or f"{url}{image.pk}/change/" in html]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("abcdef1b", [1, 2]),
        ("ABCDEF1B", [1, 2]),
        (" abcdef1b-0000 ", [1]),
        ("abcdef1b-0000-4000-8000-000000000002", [1]),
        ("abcdef1b000040008000000000000002", [1]),
        ("ffffffff", [3]),
        ("abcdef1", []),  # too short for an id: a search of captions and URLs, which hold no id
    ],
)
def test_the_image_list_finds_images_by_the_start_of_their_id(moderator_client, images, term, found):
    assert _listed(moderator_client, "/admin/datasets/image/", term, images) == found


def test_short_words_still_search_captions(moderator_client, images):
    Image.objects.filter(pk=images[0].pk).update(caption="a decade of cafe photos")

    assert _listed(moderator_client, "/admin/datasets/image/", "decade", images) == [0]


def test_the_ratings_list_finds_an_images_ratings_by_the_start_of_its_id(moderator_client, images):
    rater = Rater.objects.create(username="Someone#5", horde_id=5)
    ratings = [Rating.objects.create(rater=rater, image=image, rating=4) for image in images]

    html = moderator_client.get("/admin/ratings/rating/", {"q": "ABCDEF1A"}).content.decode()

    assert f"/admin/ratings/rating/{ratings[0].pk}/change/" in html
    assert f"/admin/ratings/rating/{ratings[1].pk}/change/" not in html
