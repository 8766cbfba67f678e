"""Where a browser blocks the frame's cookie, the page's htmx requests carry the session in X-Embed-Session and
keep working (no CSRF cookie needed: the header is the proof); a tampered or ended one gets a message in the
frame, never the login page; without the header, CSRF is enforced as everywhere."""

import pytest
from django.test import Client

from ratings_site.ratings.models import Rating
from tests.embed_token_helpers import ORIGIN, embed_session_of, open_frame, shown_image_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _rate(client: Client, image_id: str, header: str | None, rating: int = 7):
    headers = {"HX-Request": "true"}
    if header is not None:
        headers["X-Embed-Session"] = header
    return client.post(f"/images/{image_id}/rate/", {"rating": rating, "dataset": ""}, headers=headers)


def test_a_cookieless_browser_rates_with_the_header(make_images):
    make_images(3)
    _, page = open_frame()
    header = embed_session_of(page)
    first = shown_image_id(page)

    answer = _rate(Client(enforce_csrf_checks=True), first, header)  # no cookie at all

    assert answer.status_code == 200
    assert Rating.objects.get().image.public_id.hex == first.replace("-", "")
    nxt = shown_image_id(answer)
    assert nxt != first
    # The next card's links stay in the frame.
    assert 'href="/rate/' not in answer.content.decode()
    assert _rate(Client(enforce_csrf_checks=True), nxt, header, rating=3).status_code == 200
    assert Rating.objects.count() == 2


def test_a_tampered_header_is_a_message_in_the_frame(make_images):
    make_images(2)
    _, page = open_frame()
    image = shown_image_id(page)

    answer = _rate(Client(), image, embed_session_of(page)[:-2] + "xx")

    assert answer.status_code == 401
    assert answer["HX-Retarget"] == "#main"
    assert "sign-in has ended" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_logged_out_sessions_header_is_refused(make_images):
    make_images(2)
    client, page = open_frame()
    header = embed_session_of(page)
    client.post("/logout/", headers={"X-Embed-Session": header})

    answer = _rate(Client(), shown_image_id(page), header)

    assert answer.status_code == 401
    assert not Rating.objects.exists()


def test_without_the_header_csrf_is_enforced(make_images):
    make_images(2)
    client, page = open_frame()
    client.handler.enforce_csrf_checks = True

    answer = _rate(client, shown_image_id(page), None)

    assert answer.status_code == 403
    assert not Rating.objects.exists()
