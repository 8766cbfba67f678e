"""Bad rating input is refused with a clear message, stores nothing, and keeps what was entered.

Each case runs through both paths the page uses: htmx (HX-Request, CSRF token in a header,
the card alone comes back) and the plain form (CSRF token in the body, the whole page).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.datasets.services import set_flags
from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import in_queue

COUNTERS = ("ratings_count", "rating_sum", "artifacts_count", "artifacts_sum")


class _Card(HTMLParser):
    """What a rater sees on the card: the error, the checked radios, the image shown."""

    def __init__(self, html: str):
        super().__init__()
        self.error = ""
        self.checked: dict[str, str] = {}
        self.image_id = None
        self._in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-testid") == "error":
            self._in_error = True
        if tag == "input" and a.get("type") == "radio" and "checked" in a:
            self.checked[a["name"]] = a["value"]
        if tag == "img" and a.get("data-testid") == "image":
            self.image_id = a.get("data-image-id")

    def handle_endtag(self, tag):
        if tag == "div":
            self._in_error = False

    def handle_data(self, data):
        if self._in_error:
            self.error += data


def _post(client: Client, url: str, data: dict, *, htmx: bool):
    token = csrf_token(client)
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _counters(image: Image) -> tuple:
    image.refresh_from_db()
    return (*(getattr(image, name) for name in COUNTERS), in_queue(image))


def _assert_nothing_stored(image: Image, before: tuple) -> None:
    assert Rating.objects.count() == 0
    assert KudosReward.objects.count() == 0
    assert _counters(image) == before


PATHS = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])


@PATHS
@pytest.mark.parametrize(
    ("data", "message", "checked"),
    [
        ({"rating": "0"}, "The rating must be from 1 to 10, not 0.", {}),
        ({"rating": "11"}, "The rating must be from 1 to 10, not 11.", {}),
        ({"rating": "11", "artifacts": "2"}, "The rating must be from 1 to 10, not 11.", {"artifacts": "2"}),
        ({"rating": "abc"}, "The rating must be a whole number from 1 to 10, not 'abc'.", {}),
        ({}, "Choose a rating from 1 to 10.", {}),
        ({"rating": ""}, "Choose a rating from 1 to 10.", {}),
        ({"rating": "7", "artifacts": "6"}, "The artifacts rating must be from 0 to 5, not 6.", {"rating": "7"}),
        ({"rating": "7", "artifacts": "-1"}, "The artifacts rating must be from 0 to 5, not -1.", {"rating": "7"}),
    ],
    ids=["rating-0", "rating-11", "rating-11-artifacts-2", "rating-abc", "rating-missing", "rating-empty",
         "artifacts-6", "artifacts-minus-1"],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(login, make_images, htmx, data, message, checked):
    image, _other = make_images(2)
    before = _counters(image)
    client = login(DEMO_KEY)

    response = _post(client, f"/images/{image.public_id}/rate/", data, htmx=htmx)

    assert response.status_code == 400
    page = response.content.decode()
    card = _Card(page)
    assert card.error.strip() == message
    assert card.image_id == str(image.public_id)  # the same image again, to fix the answer
    assert card.checked == checked
    assert ("<html" in page) is (not htmx)  # htmx gets the card alone
    _assert_nothing_stored(image, before)


@PATHS
def test_an_unknown_image_is_404(login, make_images, htmx):
    (image,) = make_images(1)
    before = _counters(image)
    client = login(DEMO_KEY)

    response = _post(client, "/images/00000000-0000-4000-8000-000000000000/rate/", {"rating": "5"}, htmx=htmx)

    assert response.status_code == 404
    assert "not available for rating" in response.content.decode()
    _assert_nothing_stored(image, before)


@PATHS
@pytest.mark.parametrize("flag", ["hidden", "broken"])
def test_a_hidden_or_broken_image_is_404(login, make_images, htmx, flag):
    (image,) = make_images(1)
    set_flags(Image.objects.filter(pk=image.pk), **{flag: True})  # as a moderator does
    before = _counters(image)
    client = login(DEMO_KEY)

    response = _post(client, f"/images/{image.public_id}/rate/", {"rating": "5"}, htmx=htmx)

    assert response.status_code == 404
    page = response.content.decode()
    assert "not available for rating" in page
    assert str(image.public_id) not in page  # not offered again
    _assert_nothing_stored(image, before)


@PATHS
def test_without_a_session_it_redirects_to_login_and_stores_nothing(db, make_images, htmx):
    (image,) = make_images(1)
    before = _counters(image)
    client = Client(enforce_csrf_checks=True)

    response = _post(client, f"/images/{image.public_id}/rate/", {"rating": "5"}, htmx=htmx)

    if htmx:  # htmx is told to load the login page as a whole page, not to swap it into the card
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith("/login/")
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    _assert_nothing_stored(image, before)


@PATHS
def test_without_a_csrf_token_it_is_403_and_stores_nothing(login, make_images, htmx):
    (image,) = make_images(1)
    before = _counters(image)
    client = login(DEMO_KEY)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(f"/images/{image.public_id}/rate/", {"rating": "5"}, headers=headers)

    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
    _assert_nothing_stored(image, before)


@PATHS
def test_a_wrong_csrf_token_is_403_and_stores_nothing(login, make_images, htmx):
    (image,) = make_images(1)
    before = _counters(image)
    client = login(DEMO_KEY)
    forged = "x" * 64
    if htmx:
        response = client.post(
            f"/images/{image.public_id}/rate/", {"rating": "5"}, headers={"HX-Request": "true", "X-CSRFToken": forged}
        )
    else:
        response = client.post(f"/images/{image.public_id}/rate/", {"rating": "5", "csrfmiddlewaretoken": forged})

    assert response.status_code == 403
    _assert_nothing_stored(image, before)


@PATHS
def test_a_good_rating_after_a_refusal_is_stored(login, make_images, htmx):
    # The control: the same requests with valid input do store, so the checks above can fail.
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    assert _post(client, f"/images/{image.public_id}/rate/", {"rating": "7", "artifacts": "6"}, htmx=htmx).status_code == 400

    response = _post(client, f"/images/{image.public_id}/rate/", {"rating": "7", "artifacts": "5"}, htmx=htmx)

    assert response.status_code == (200 if htmx else 302)
    assert Rating.objects.get().rating == 7
    assert KudosReward.objects.count() == 1
    assert _counters(image)[:4] == (1, 7, 1, 5)
