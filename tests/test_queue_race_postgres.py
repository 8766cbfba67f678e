"""Raters racing for an image's last slots: exactly RATINGS_PER_IMAGE ratings are stored, the rest get ImageFull.

Real concurrency needs PostgreSQL (SQLite serialises writers), so this runs only there.
"""

import threading

import pytest
from django.db import connection

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import ImageFull, rate_image
from tests.helpers import in_queue

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
]

RACERS = 8


def _race(image_pk: int, raters: list[Rater]) -> list[object]:
    """Every rater calls rate_image on the image at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(raters))
    outcomes: list[object] = [None] * len(raters)

    def attempt(index: int, rater: Rater) -> None:
        try:
            image = Image.objects.get(pk=image_pk)
            barrier.wait(timeout=30)
            outcomes[index] = rate_image(rater=rater, image=image, rating=7, artifacts=1)
        except Exception as exc:  # recorded and checked by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, rater)) for i, rater in enumerate(raters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def _raters(first_id: int, count: int) -> list[Rater]:
    return [Rater.objects.create(username=f"Racer#{first_id + n}", horde_id=first_id + n) for n in range(count)]


def _assert_outcome(image: Image, outcomes: list[object], *, wanted: int, already: int) -> None:
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, ImageFull)]
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ImageFull)]
    assert unexpected == []
    assert len(winners) == wanted - already
    assert len(refused) == RACERS - (wanted - already)
    image.refresh_from_db()
    assert Rating.objects.filter(image=image).count() == wanted
    assert image.ratings_count == wanted
    assert image.rating_sum == sum(Rating.objects.filter(image=image).values_list("rating", flat=True))
    assert in_queue(image) is False
    assert KudosReward.objects.filter(rating__image=image).count() == wanted


def test_one_slot_many_racers_exactly_one_rating_is_stored(make_images, settings):
    settings.RATINGS_PER_IMAGE = 1
    settings.CAPTCHA_RATE = 0
    [image] = make_images(1)

    outcomes = _race(image.pk, _raters(9100, RACERS))

    _assert_outcome(image, outcomes, wanted=1, already=0)


def test_last_slot_of_five_many_racers_exactly_five_ratings_are_stored(make_images, settings):
    settings.RATINGS_PER_IMAGE = 5
    [image] = make_images(1)
    for rater in _raters(9200, 4):
        rate_image(rater=rater, image=image, rating=5)

    outcomes = _race(image.pk, _raters(9300, RACERS))

    _assert_outcome(image, outcomes, wanted=5, already=4)


def test_two_slots_left_many_racers_exactly_two_win(make_images, settings):
    settings.RATINGS_PER_IMAGE = 5
    [image] = make_images(1)
    for rater in _raters(9400, 3):
        rate_image(rater=rater, image=image, rating=5)

    outcomes = _race(image.pk, _raters(9500, RACERS))

    _assert_outcome(image, outcomes, wanted=5, already=3)
