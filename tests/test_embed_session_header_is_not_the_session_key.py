"""The frame's X-Embed-Session (and embed_session field) is a credential of its own, not the session key: nothing in
the embedded page, decoded or not, holds the key of its session (issue 20, point 3). The credential works where
the frame's cookie is blocked; the raw session key sent in its place does not, and the credential is no cookie."""

import base64
import binascii
import zlib

import pytest
from django.test import Client

from ratings_site.ratings.models import Rating
from tests.embed_token_helpers import ORIGIN, embed_session_of, open_frame, shown_image_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _readings(value: str) -> list[str]:
    """`value`, and whatever each of its dot- or colon-separated parts reads as in base64 (zlib-inflated too), the
    way anyone reading the page could decode a signed value."""
    readings = [value]
    for part in value.replace(":", ".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        for data in (raw, raw[1:]):
            try:
                data = zlib.decompress(data)
            except zlib.error:
                pass
            readings.append(data.decode("latin-1"))
    return readings


def _rate(image_id: str, header: str):
    return Client(enforce_csrf_checks=True).post(
        f"/images/{image_id}/rate/", {"rating": 7, "dataset": ""},
        headers={"HX-Request": "true", "X-Embed-Session": header},
    )


def test_the_page_holds_no_session_key(settings, make_images):
    make_images(1)
    client, page = open_frame()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    html = page.content.decode()

    assert key not in html
    for reading in _readings(embed_session_of(page)):
        assert key not in reading


def test_the_credential_is_not_the_session_key(settings, make_images):
    make_images(1)
    client, page = open_frame()

    assert embed_session_of(page) != client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_credential_rates_without_a_cookie(make_images):
    make_images(2)
    _, page = open_frame()

    answer = _rate(shown_image_id(page), embed_session_of(page))

    assert answer.status_code == 200
    assert Rating.objects.count() == 1


def test_the_raw_session_key_in_the_header_is_refused(settings, make_images):
    make_images(2)
    client, page = open_frame()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    answer = _rate(shown_image_id(page), key)

    assert answer.status_code == 401
    assert "sign-in has ended" in answer.content.decode()
    assert not Rating.objects.exists()


def test_the_credential_is_no_session_cookie(settings, make_images):
    make_images(1)
    _, page = open_frame()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = embed_session_of(page)

    assert browser.get("/embed/rate/").status_code == 401
