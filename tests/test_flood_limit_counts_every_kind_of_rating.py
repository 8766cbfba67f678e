"""The flood limit (RATINGS_PER_MINUTE_MAX a minute) counts every kind of rating a rater stored in the last
minute: dataset images, images of their own generation sets, and best-of picks (`ratings.limits`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Dataset, Image
from ratings_site.generations.models import GenerationImage, GenerationRating, GenerationSet, Source
from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import ratings_in_the_last_minute
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

LIMIT = 3


@pytest.fixture(autouse=True)
def three_a_minute(settings):
    settings.RATINGS_PER_MINUTE_MAX = LIMIT
    settings.CAPTCHA_RATE = 0.0


def _rate(client: Client, image: Image):
    return client.post(f"/images/{image.public_id}/rate/", {"rating": "6", "csrfmiddlewaretoken": csrf_token(client)})


def _rate_generations(rater: Rater, count: int, *, ago: timedelta = timedelta(0)) -> None:
    """`count` rated images of a generation set the rater owns, rated `ago`."""
    generation_set = GenerationSet.objects.create(
        request_id=str(uuid.uuid4()), rater=rater, source=Source.PAGE, rated_at=timezone.now()
    )
    for n in range(count):
        image = GenerationImage.objects.create(generation_set=generation_set, generation_id=f"gen-{n}", position=n)
        GenerationRating.objects.create(image=image, rating=8)
    GenerationRating.objects.filter(image__generation_set=generation_set).update(created_at=timezone.now() - ago)


def _pick_best(rater: Rater, images: list[Image]) -> None:
    """A best-of pick of a prompt group of `images` (skipped where the best-of app is not installed)."""
    try:
        prompt_group, best_pick = apps.get_model("bestof", "PromptGroup"), apps.get_model("bestof", "BestPick")
    except LookupError:
        pytest.skip("the best-of app is not installed")
    group = prompt_group.objects.create(
        dataset=Dataset.objects.get(slug="test-set"), prompt_key=uuid.uuid4().hex, prompt="a cat", size=len(images)
    )
    best_pick.objects.create(rater=rater, group=group, winner=images[0])


def test_a_generation_rating_counts_towards_the_pause_of_the_next_dataset_rating(login, make_images):
    images = make_images(4)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    for image in images[: LIMIT - 2]:
        assert _rate(client, image).status_code == 302
    _rate_generations(rater, 1)

    reaching = _rate(client, images[LIMIT - 2])  # the limit-th rating of the minute, with the generation

    assert reaching.status_code == 302
    rater.refresh_from_db()
    assert rater.paused_until is not None
    assert f"You rated {LIMIT} images in the last minute; the limit is {LIMIT}." in rater.pause_reason
    refused = _rate(client, images[LIMIT - 1])
    assert refused.status_code == 429
    assert Rating.objects.filter(rater=rater).count() == LIMIT - 1


def test_a_best_pick_counts_too(login, make_images):
    images = make_images(4)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    _pick_best(rater, images[2:4])
    _rate_generations(rater, 1)

    assert _rate(client, images[0]).status_code == 302

    rater.refresh_from_db()
    assert rater.paused_until is not None
    assert ratings_in_the_last_minute(rater) == LIMIT


def test_generation_ratings_older_than_a_minute_do_not_count(login, make_images):
    images = make_images(2)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    _rate_generations(rater, LIMIT, ago=timedelta(minutes=2))

    assert _rate(client, images[0]).status_code == 302

    rater.refresh_from_db()
    assert rater.paused_until is None
    assert ratings_in_the_last_minute(rater) == 1


def test_another_raters_generations_do_not_count(login, make_images):
    images = make_images(2)
    login(SECOND_KEY)
    _rate_generations(Rater.objects.get(horde_id=1006), LIMIT)
    client = login(DEMO_KEY)

    assert _rate(client, images[0]).status_code == 302

    assert Rater.objects.get(horde_id=1001).paused_until is None
