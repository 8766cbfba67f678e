"""Rating an image that already has all its ratings is refused (ImageFull, 403) and stores nothing."""

import re

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import ImageFull, rate_image
from tests.conftest import DEMO_KEY, SECOND_KEY, THIRD_KEY, csrf_token
from tests.helpers import in_queue

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
FULL_MESSAGE = "already has all the ratings it needs"


@pytest.fixture
def full_image(login, make_images, settings):
    """An image rated by the first two raters while RATINGS_PER_IMAGE is 2."""
    settings.RATINGS_PER_IMAGE = 2
    [image] = make_images(1)
    login(DEMO_KEY)
    login(SECOND_KEY)
    for horde_id, score in ((1001, 4), (1006, 9)):
        rate_image(rater=Rater.objects.get(horde_id=horde_id), image=image, rating=score, artifacts=2)
    image.refresh_from_db()
    assert (image.ratings_count, in_queue(image)) == (2, False)
    return image


def _assert_nothing_stored(image, rater):
    before = (2, 13, 2, 4)
    image.refresh_from_db()
    assert (image.ratings_count, image.rating_sum, image.artifacts_count, image.artifacts_sum) == before
    assert Rating.objects.filter(image=image).count() == 2
    assert not Rating.objects.filter(rater=rater).exists()
    assert not KudosReward.objects.filter(rater=rater).exists()


def test_the_service_raises_image_full_and_stores_nothing(full_image, login):
    login(THIRD_KEY)
    third = Rater.objects.get(horde_id=1007)

    with pytest.raises(ImageFull) as refused:
        rate_image(rater=third, image=full_image, rating=7, artifacts=1)

    assert refused.value.status == 403
    assert FULL_MESSAGE in refused.value.message
    _assert_nothing_stored(full_image, third)


def test_the_page_answers_403_with_another_image_and_stores_nothing(full_image, login, make_images):
    [other] = make_images(1)
    client = login(THIRD_KEY)
    third = Rater.objects.get(horde_id=1007)

    response = client.post(
        f"/images/{full_image.public_id}/rate/",
        {"rating": "7", "artifacts": "1", "csrfmiddlewaretoken": csrf_token(client)},
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert FULL_MESSAGE in html
    assert SHOWN.search(html).group(1) == str(other.public_id)
    _assert_nothing_stored(full_image, third)


def test_an_htmx_rating_of_a_full_image_gets_403_and_the_next_card(full_image, login):
    client = login(THIRD_KEY)
    third = Rater.objects.get(horde_id=1007)

    response = client.post(
        f"/images/{full_image.public_id}/rate/",
        {"rating": "7", "csrfmiddlewaretoken": csrf_token(client)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert FULL_MESSAGE in html
    assert "<html" not in html  # the card partial, not the whole page
    assert "Nothing left to rate" in html
    _assert_nothing_stored(full_image, third)
