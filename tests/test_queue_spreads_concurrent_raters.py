"""Among images of equal priority the choice is random, so concurrent raters spread over them."""

from collections import Counter

from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import next_image_for


def _fresh_raters(count: int) -> list[Rater]:
    return [Rater.objects.create(username=f"Fresh#{6000 + n}", horde_id=6000 + n) for n in range(count)]


def test_fresh_raters_start_on_many_different_images_of_equal_priority(make_images):
    images = make_images(20, priority=1.0)

    firsts = Counter(next_image_for(rater).pk for rater in _fresh_raters(50))

    assert set(firsts) <= {image.pk for image in images}
    # All 50 on one image (or a handful) would make them race for the same slots.
    assert len(firsts) > 5, firsts
    assert max(firsts.values()) < 25, firsts


def test_near_equal_priorities_are_mixed_but_a_clearly_higher_one_is_not(make_images, settings):
    settings.QUEUE_PRIORITY_TOLERANCE = 0.01
    top = make_images(10, priority=1.0)
    just_below = make_images(10, priority=0.995)
    make_images(10, priority=0.5)

    firsts = Counter(next_image_for(rater).pk for rater in _fresh_raters(50))

    assert set(firsts) <= {image.pk for image in top + just_below}
    assert set(firsts) & {image.pk for image in just_below}, "images within the tolerance were never served first"
    assert len(firsts) > 5, firsts
