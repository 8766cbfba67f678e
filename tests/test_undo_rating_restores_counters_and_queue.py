"""Undoing a rating takes exactly its share off the image's counters, puts an image that left the queue
with that rating back in it, and the header's counters drop with it."""

import re

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.selectors import next_images_for
from ratings_site.ratings.services import undo_rating
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import counters_from_ratings, image_counters, in_queue, priority_of, rate_via_page

pytestmark = pytest.mark.usefixtures("no_captchas")


def _rater(horde_id: int) -> Rater:
    return Rater.objects.get(horde_id=horde_id)


def test_undoing_a_rating_with_artifacts_takes_off_its_rating_and_its_artifacts(login, make_images):
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=7, artifacts=2)
    rate_via_page(login(SECOND_KEY), image, rating=4)
    assert image_counters(image) == (2, 11, 1, 2)

    undone = undo_rating(rater=_rater(1001))

    assert (undone.image, undone.rating, undone.artifacts) == (image, 7, 2)
    assert image_counters(image) == (1, 4, 0, 0) == counters_from_ratings(image)


def test_undoing_a_rating_without_artifacts_leaves_the_artifacts_counters_alone(login, make_images):
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=7, artifacts=2)
    rate_via_page(login(SECOND_KEY), image, rating=4)

    undone = undo_rating(rater=_rater(1006))

    assert (undone.rating, undone.artifacts) == (4, None)
    assert image_counters(image) == (1, 7, 1, 2) == counters_from_ratings(image)


def test_the_image_returned_carries_the_counters_the_database_holds(login, make_images):
    [image] = make_images(1)
    rate_via_page(login(DEMO_KEY), image, rating=9, artifacts=0)

    undone = undo_rating(rater=_rater(1001))

    image = undone.image
    assert (image.ratings_count, image.rating_sum, image.artifacts_count, image.artifacts_sum) == (0, 0, 0, 0)
    assert image_counters(image) == (0, 0, 0, 0)


def test_an_image_that_left_the_queue_with_its_last_rating_comes_back_and_is_shown_again(
    login, make_images, settings
):
    settings.RATINGS_PER_IMAGE = 2
    [image] = make_images(1)
    rate_via_page(login(SECOND_KEY), image, rating=5)
    rate_via_page(login(DEMO_KEY), image, rating=6)  # the last wanted rating
    assert not in_queue(image)

    undo_rating(rater=_rater(1001))

    assert in_queue(image)
    assert image_counters(image) == (1, 5, 0, 0)
    assert next_images_for(_rater(1001)) == [image]  # the rater who undid it is served it again
    assert next_images_for(_rater(1006)) == []  # the other rater still never sees it twice


def test_an_image_still_wanting_ratings_keeps_its_place_in_the_queue(login, make_images):
    [image] = make_images(1, priority=0.75)
    rate_via_page(login(DEMO_KEY), image)

    undo_rating(rater=_rater(1001))

    assert priority_of(image) == 0.75


def _header(client) -> tuple[int, int]:
    html = client.get("/kudos/").content.decode()
    today = re.search(r'data-testid="ratings-today">(\d+)<', html).group(1)
    total = re.search(r'data-testid="ratings-total">(\d+)<', html).group(1)
    return int(today), int(total)


def test_the_header_counters_drop_by_the_undone_rating(login, make_images):
    client = login(DEMO_KEY)
    first, second = make_images(2)
    rate_via_page(client, first)
    rate_via_page(client, second)
    assert _header(client) == (2, 2)

    undo_rating(rater=_rater(1001))

    assert _header(client) == (1, 1)
    assert list(Rating.objects.values_list("image", flat=True)) == [first.pk]
