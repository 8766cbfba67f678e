"""GET /api/v1/image/ratings/{image_id}: a moderator sees the image, its average and every rating with the
rater's name; an image stored as a file is given by its absolute URL."""

import pytest
from django.core.files.base import ContentFile
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


def get(path):
    return Client().get(path, headers={"apikey": MODERATOR_KEY})


def test_it_lists_the_image_and_every_rating(make_images):
    image, other = make_images(2)
    alice = Rater.objects.create(username="Alice#5501", horde_id=5501)
    bob = Rater.objects.create(username="Bob#5502", horde_id=5502)
    rate(alice, image, 8, artifacts=1)
    rate(bob, image, 5)
    rate(alice, other, 2)

    response = get(f"/api/v1/image/ratings/{image.public_id}")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "total": 2,
        "image": image.url,
        "image_id": str(image.public_id),
        "average": 6.5,
        "times_rated": 2,
        "ratings": [
            {"username": "Alice#5501", "rating": 8, "artifacts": 1},
            {"username": "Bob#5502", "rating": 5, "artifacts": None},
        ],
    }


def test_an_unrated_image_has_an_average_of_zero(make_images):
    (image,) = make_images(1)

    answer = get(f"/api/v1/image/ratings/{image.public_id}").json()

    assert (answer["total"], answer["average"], answer["times_rated"], answer["ratings"]) == (0, 0.0, 0, [])


def test_an_image_stored_as_a_file_is_given_by_its_absolute_url(make_images):
    (image,) = make_images(1)
    image.url = ""
    image.file.save("moderated.png", ContentFile(b"not really a png"), save=True)

    answer = get(f"/api/v1/image/ratings/{image.public_id}").json()

    assert answer["image"] == f"http://testserver{image.file.url}"
