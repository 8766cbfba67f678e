"""The Horde's flag is part of a rater's standing: a flagged rater's ratings are stored but do not count (not in
the image's counters, the queue rule, the export), and when a later login finds the flag gone, they count again,
with the counters exact; flagged again, they stop counting again."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ratings_site.demo.standin import horde_user
from ratings_site.exports.services import ratings_to_export
from ratings_site.ratings.models import Rating
from tests.helpers import counters_from_ratings, image_counters, in_queue, rate_via_page

pytestmark = pytest.mark.usefixtures("no_captchas")
KEY = "flag-turns-0001"


def test_the_flag_turning_at_login_makes_ratings_count_or_not(login, make_images, horde, settings):
    settings.RATINGS_PER_IMAGE = 1
    image = make_images(1)[0]
    horde.add_user(KEY, horde_user("Turning#7001", 7001, flagged=True))
    client = login(KEY)
    rate_via_page(client, image, 8)

    rating = Rating.objects.get(image=image)
    assert rating.counts is False
    assert image_counters(image) == (0, 0, 0, 0)
    assert in_queue(image)  # a rating that does not count takes no slot
    assert not ratings_to_export().exists()

    horde.add_user(KEY, horde_user("Turning#7001", 7001, flagged=False))
    cache.clear()  # find_user's answer is cached for FIND_USER_CACHE_SECONDS
    login(KEY)

    assert Rating.objects.get(pk=rating.pk).counts is True
    assert image_counters(image) == counters_from_ratings(image) == (1, 8, 0, 0)
    assert not in_queue(image)
    assert ratings_to_export().filter(pk=rating.pk).exists()

    horde.add_user(KEY, horde_user("Turning#7001", 7001, flagged=True))
    cache.clear()
    login(KEY)

    assert image_counters(image) == (0, 0, 0, 0)
    assert in_queue(image)
