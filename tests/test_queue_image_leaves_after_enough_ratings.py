"""An image wants RATINGS_PER_IMAGE ratings; once it has them it leaves the queue for everyone."""

from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import images_wanting_ratings, next_image_for, next_images_for
from ratings_site.ratings.services import rate_image, skip_image
from tests.conftest import DEMO_KEY, SECOND_KEY, THIRD_KEY
from tests.helpers import in_queue


def test_after_two_ratings_the_image_leaves_the_queue_and_a_third_rater_never_gets_it(login, make_images, settings):
    settings.RATINGS_PER_IMAGE = 2
    [target] = make_images(1, priority=1.0)  # served first to anyone who can still get it
    others = make_images(4)
    login(DEMO_KEY)
    login(SECOND_KEY)
    third_client = login(THIRD_KEY)
    first, second, third = (Rater.objects.get(horde_id=n) for n in (1001, 1006, 1007))

    rate_image(rater=first, image=target, rating=6)
    target.refresh_from_db()
    assert (target.ratings_count, in_queue(target)) == (1, True)
    assert next_image_for(third) == target

    rate_image(rater=second, image=target, rating=8)
    target.refresh_from_db()
    assert (target.ratings_count, target.rating_sum, in_queue(target)) == (2, 14, False)
    assert images_wanting_ratings() == len(others)

    served = []
    while (image := next_image_for(third)) is not None:
        served.append(image.pk)
        skip_image(rater=third, image=image)
        assert len(served) <= len(others)
    assert target.pk not in served
    assert sorted(served) == sorted(image.pk for image in others)
    assert "Nothing left to rate" in third_client.get("/rate/").content.decode()


def test_an_image_stays_for_raters_until_the_count_is_reached(login, make_images, settings):
    settings.RATINGS_PER_IMAGE = 3
    [image] = make_images(1)
    login(DEMO_KEY)
    login(SECOND_KEY)
    login(THIRD_KEY)
    first, second, third = (Rater.objects.get(horde_id=n) for n in (1001, 1006, 1007))

    rate_image(rater=first, image=image, rating=5)
    rate_image(rater=second, image=image, rating=5)

    image.refresh_from_db()
    assert in_queue(image) is True
    assert [i.pk for i in next_images_for(third)] == [image.pk]
    rate_image(rater=third, image=image, rating=5)
    image.refresh_from_db()
    assert (image.ratings_count, in_queue(image)) == (3, False)
