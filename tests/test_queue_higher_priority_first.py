"""An image with a higher priority is always served before the ones below it."""

import re

from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import next_image_for, next_images_for
from ratings_site.ratings.services import skip_image
from tests.conftest import DEMO_KEY
from tests.helpers import priority_of, upcoming_id

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')


def _fresh_raters(count: int) -> list[Rater]:
    return [Rater.objects.create(username=f"Fresh#{5000 + n}", horde_id=5000 + n) for n in range(count)]


def test_every_fresh_rater_gets_the_highest_priority_image_first(make_images):
    make_images(40, priority=0.0)  # more than QUEUE_TOP_K, created before the high one
    [high] = make_images(1, priority=2.0)
    make_images(2, priority=1.0)

    for rater in _fresh_raters(20):
        assert next_image_for(rater) == high


def test_one_rater_walks_the_queue_in_priority_order(make_images):
    make_images(5, priority=0.0)
    make_images(3, priority=0.5)
    make_images(2, priority=3.0)
    make_images(4, priority=-1.0)
    [rater] = _fresh_raters(1)

    priorities = []
    while (image := next_image_for(rater)) is not None:
        priorities.append(priority_of(image))
        skip_image(rater=rater, image=image)
        assert len(priorities) <= 14

    assert priorities == [3.0] * 2 + [0.5] * 3 + [0.0] * 5 + [-1.0] * 4


def test_the_preloaded_image_is_the_next_in_priority(make_images):
    make_images(10, priority=0.0)
    [second] = make_images(1, priority=1.0)
    [first] = make_images(1, priority=2.0)
    [rater] = _fresh_raters(1)

    assert next_images_for(rater) == [first, second]


def test_the_page_shows_the_highest_priority_image(login, make_images):
    make_images(10, priority=0.0)
    [second] = make_images(1, priority=1.0)
    [first] = make_images(1, priority=2.0)
    client = login(DEMO_KEY)

    html = client.get("/rate/").content.decode()

    assert SHOWN.search(html).group(1) == str(first.public_id)
    assert upcoming_id(html, Rater.objects.get(horde_id=1001)) == str(second.public_id)
