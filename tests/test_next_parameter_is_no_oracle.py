"""`?next=` and the forms' `upcoming` are honoured only for the image this rater was served as the upcoming one
(a token signed for them, ratings.cards), a check image like any other. A bare id is ignored, so a script can no
longer ask the queue about an image (check images used to be the ones never honoured), nor can another rater's
token be used."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.cards import upcoming_token
from ratings_site.ratings.models import ServedImage
from tests.check_helpers import plain_checks, shown_on
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def queue(make_images):
    [top] = make_images(1, priority=2.0)
    low = make_images(5, priority=0.0)
    [check] = plain_checks(1)
    return top, low, check


def _page(client, token: str) -> str:
    return client.get(f"/rate/?{urlencode({'next': token})}").content.decode()


def test_a_bare_id_is_ignored_whatever_the_image(login, queue):
    top, low, check = queue
    client = login(DEMO_KEY)

    assert shown_on(_page(client, str(low[0].public_id))) == top
    assert shown_on(_page(client, str(check.public_id))) == top
    assert not ServedImage.objects.filter(image=check).exists()  # (the top image shown is held: RATING_HOLD_SECONDS)


def test_a_bare_id_posted_as_upcoming_is_ignored(login, queue):
    top, low, check = queue
    client = login(DEMO_KEY)

    answer = client.post(
        f"/images/{low[1].public_id}/skip/",
        {"upcoming": str(check.public_id), "csrfmiddlewaretoken": csrf_token(client)},
        headers={"HX-Request": "true"},
    )

    assert shown_on(answer.content.decode()) == top


def test_another_raters_token_is_ignored(login, queue):
    top, low, check = queue
    login(SECOND_KEY)
    second = Rater.objects.get(horde_id=1006)
    client = login(DEMO_KEY)

    assert shown_on(_page(client, upcoming_token(second, low[0]))) == top
    assert shown_on(_page(client, upcoming_token(second, check))) == top


def test_a_check_served_as_upcoming_is_honoured_like_any_image(login, queue):
    top, low, check = queue
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)

    assert shown_on(_page(client, upcoming_token(rater, low[3]))) == low[3]
    assert shown_on(_page(client, upcoming_token(rater, check))) == check
    assert ServedImage.objects.filter(rater=rater, image=check, is_check=True).exists()
