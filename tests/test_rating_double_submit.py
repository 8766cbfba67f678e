"""The same rating sent twice (a double click, a retry) is stored once, paid once, and both answers succeed."""

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token


def _post(client: Client, image: Image, data: dict, *, htmx: bool):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/rate/"
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


SUCCESS = {True: 200, False: 302}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_double_submit_stores_one_rating_and_one_reward(login, make_images, htmx):
    image, _next = make_images(2)
    client = login(DEMO_KEY)

    first = _post(client, image, {"rating": "8", "artifacts": "2"}, htmx=htmx)
    second = _post(client, image, {"rating": "8", "artifacts": "2"}, htmx=htmx)

    assert first.status_code == SUCCESS[htmx]
    assert second.status_code == SUCCESS[htmx]
    assert 'data-testid="error"' not in second.content.decode()
    assert Rating.objects.filter(image=image).count() == 1
    assert KudosReward.objects.count() == 1
    image.refresh_from_db()
    assert (image.ratings_count, image.rating_sum, image.artifacts_count, image.artifacts_sum) == (1, 8, 1, 2)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_second_answer_moves_on_to_another_image(login, make_images, htmx):
    image, other = make_images(2)
    client = login(DEMO_KEY)
    _post(client, image, {"rating": "8"}, htmx=htmx)

    second = _post(client, image, {"rating": "8"}, htmx=htmx)

    page = second.content.decode() if htmx else client.get(second["Location"]).content.decode()
    assert f'data-image-id="{other.public_id}"' in page
    assert f'data-image-id="{image.public_id}"' not in page


def test_a_resubmit_with_another_value_keeps_the_first_rating(login, make_images):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    _post(client, image, {"rating": "3"}, htmx=False)

    again = _post(client, image, {"rating": "9", "artifacts": "0"}, htmx=False)

    assert again.status_code == 302
    stored = Rating.objects.get(image=image)
    assert (stored.rating, stored.artifacts) == (3, None)
    image.refresh_from_db()
    assert (image.ratings_count, image.rating_sum, image.artifacts_count) == (1, 3, 0)
    assert KudosReward.objects.count() == 1
