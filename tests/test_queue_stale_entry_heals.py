"""A queue entry left behind for an image that has all its ratings goes as soon as a rater meets it."""

import pytest

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.selectors import next_image_for
from ratings_site.ratings.services import ImageFull, rate_image
from tests.helpers import in_queue


def test_a_full_image_with_a_stale_entry_is_refused_and_leaves_the_queue(make_images, settings):
    settings.RATINGS_PER_IMAGE = 2
    [stale] = make_images(1, priority=1.0)
    [other] = make_images(1, priority=0.5)
    # What a refresh_queue racing the image's last rating can leave: full, yet still queued.
    Image.objects.filter(pk=stale.pk).update(ratings_count=2, rating_sum=12)
    assert in_queue(stale)
    rater = Rater.objects.create(username="Late#8000", horde_id=8000)
    assert next_image_for(rater) == stale

    with pytest.raises(ImageFull):
        rate_image(rater=rater, image=stale, rating=6)

    assert not in_queue(stale)
    assert not Rating.objects.exists()
    assert next_image_for(rater) == other

