"""An image that may not be rated is refused with its own reason, the same on the rate page and in the API: hidden,
broken, NSFW, a best-of check image, a dataset that is not public, or all its ratings given. An NSFW image posted by
id is no longer told it "already has all the ratings it needs"."""

from __future__ import annotations

import pytest

from ratings_site.datasets.models import Dataset
from ratings_site.datasets.services import set_flags
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.rating_api_helpers import api_rate

FULL = "already has all the ratings it needs"


def _hidden(make_images):
    (image,) = make_images(1)
    set_flags(type(image).objects.filter(pk=image.pk), hidden=True)
    return image


def _broken(make_images):
    (image,) = make_images(1)
    set_flags(type(image).objects.filter(pk=image.pk), broken=True)
    return image


def _nsfw(make_images):
    (image,) = make_images(1)
    set_flags(type(image).objects.filter(pk=image.pk), nsfw=True)
    return image


def _best_of_check(make_images):
    (image,) = make_images(1, dataset="best-of-checks", is_captcha=True)  # no captcha_answer: picked, never rated
    return image


def _not_public(make_images):
    (image,) = make_images(1, dataset="private-set")
    Dataset.objects.filter(slug="private-set").update(public=False)
    return image


def _full(make_images):
    (image,) = make_images(1)
    assert api_rate(image.public_id, {"rating": 7}, apikey=SECOND_KEY).status_code == 201
    return image


# (how the image is made, the status, the code the API answers, words of the message)
CASES = {
    "hidden": (_hidden, 404, "image_hidden", "a moderator took it out"),
    "broken": (_broken, 404, "image_broken", "it could not be loaded"),
    "nsfw": (_nsfw, 404, "image_nsfw", "it is marked NSFW"),
    "best_of_check": (_best_of_check, 404, "not_rated_here", "not available for rating here"),
    "not_public": (_not_public, 404, "dataset_not_public", "Its dataset is not open for rating"),
    "full": (_full, 403, "image_full", FULL),
}


@pytest.fixture(autouse=True)
def one_rating_wanted(settings):
    settings.RATINGS_PER_IMAGE = 1


@pytest.mark.parametrize("case", CASES)
def test_the_api_answers_each_case_with_its_own_code_and_message(make_images, case):
    make, status, code, words = CASES[case]
    image = make(make_images)
    before = Rating.objects.count()

    response = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert words in response.json()["message"]
    assert Rating.objects.count() == before


@pytest.mark.parametrize("case", CASES)
def test_the_rate_page_says_each_case_in_its_own_words(login, make_images, case):
    make, status, _, words = CASES[case]
    image = make(make_images)
    make_images(1)  # another image, for the card that follows
    client = login(DEMO_KEY)
    before = Rating.objects.count()

    response = client.post(
        f"/images/{image.public_id}/rate/",
        {"rating": "7"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == status
    page = response.content.decode()
    assert words in page
    assert f'data-image-id="{image.public_id}"' not in page, "the refused image is not shown again"
    assert Rating.objects.count() == before


def test_an_nsfw_image_posted_by_id_is_not_called_full(make_images):
    image = _nsfw(make_images)

    response = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert FULL not in response.json()["message"]
