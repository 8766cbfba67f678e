"""POST /api/v1/embed/token exchanges a Horde key for a token bound to its rater and to a listed origin; the frame
redeems it once into a session. Every refusal — no key, an unlisted origin, a bad body, and at the frame an
expired, reused, tampered, foreign or revoked token — is a clear message (JSON for the call, a page inside the
frame), never a 500, and the key appears nowhere."""

import logging
import time
from datetime import datetime, timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from ratings_site.embed.tokens import SALT
from ratings_site.moderation import actions
from ratings_site.raters.models import Rater
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY
from tests.embed_token_helpers import ORIGIN, OTHER_ORIGIN, framed_by, new_token, token_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _frame(token: str):
    return Client().get(f"/embed/rate/?token={token}", headers=framed_by(ORIGIN))


def _refusal_text(page) -> str:
    return page.content.decode()


def test_a_token_for_a_listed_origin(settings):
    settings.EMBED_TOKEN_SECONDS = 600
    response = token_call(ORIGIN)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = datetime.fromisoformat(body["expires"])
    assert timedelta(seconds=590) < expires - timezone.now() <= timedelta(seconds=600)
    assert DEMO_KEY not in body["token"]


def test_the_frame_opens_once_as_the_keys_rater(make_images):
    make_images(1)
    token = new_token()

    page = _frame(token)

    assert page.status_code == 200
    assert "DemoRater#1001" in page.content.decode()
    assert DEMO_KEY not in page.content.decode()
    again = _frame(token)
    assert again.status_code == 403
    assert "already used" in _refusal_text(again)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [({"origin": OTHER_ORIGIN}, 403, "may not embed"), ({}, 400, "origin"), ({"origin": ""}, 400, "origin"),
     ({"origin": ["x"]}, 400, "origin")],
)
def test_the_token_call_refuses_bad_origins_and_bodies(body, status, words):
    response = Client().post("/api/v1/embed/token", data=body, content_type="application/json",
                             headers={"apikey": DEMO_KEY})

    assert response.status_code == status
    assert words in response.json()["message"]


def test_the_token_call_needs_a_key():
    response = token_call(ORIGIN, apikey=None)

    assert response.status_code == 401
    assert "apikey" in response.json()["message"]


def test_the_anonymous_key_gets_a_token_for_its_addresss_anonymous_rater(make_images):
    make_images(1)
    page = _frame(new_token(apikey=ANONYMOUS_KEY))

    assert page.status_code == 200
    assert "anonymous · no kudos" in page.content.decode()


def test_an_expired_token_is_refused_in_the_frame(settings):
    settings.EMBED_TOKEN_SECONDS = 1
    token = new_token()
    time.sleep(2.1)

    page = _frame(token)

    assert page.status_code == 403
    assert "expired" in _refusal_text(page)


def test_a_tampered_token_is_refused():
    token = new_token()
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    page = _frame(tampered)

    assert page.status_code == 403
    assert "not valid" in _refusal_text(page)


def test_a_token_signed_by_another_site_is_refused():
    rater = Rater.objects.create(username="DemoRater#1001", horde_id=1001)
    with override_settings(SECRET_KEY="another-site-entirely"):
        foreign = signing.dumps({"r": rater.pk, "o": ORIGIN, "n": "abc"}, salt=SALT)

    page = _frame(foreign)

    assert page.status_code == 403
    assert "not valid" in _refusal_text(page)


def test_a_token_for_an_origin_no_longer_listed_is_refused(settings):
    token = new_token()
    settings.EMBED_ALLOWED_ORIGINS = ["https://someone-else.example"]

    page = _frame(token)

    assert page.status_code == 403
    assert "may no longer embed" in _refusal_text(page)


def test_a_banned_raters_token_is_refused():
    token = new_token()
    actions.ban(actor=None, rater=Rater.objects.get(horde_id=1001), reason="Ratings at random")

    page = _frame(token)

    assert page.status_code == 403
    assert "banned" in _refusal_text(page) and "Ratings at random" in _refusal_text(page)


def test_no_token_and_no_session_is_a_page_in_the_frame_not_the_login():
    page = Client().get("/embed/rate/")

    assert page.status_code == 401
    assert "sign-in has ended" in _refusal_text(page)
    assert "X-Frame-Options" not in page


def test_a_first_party_session_does_not_open_the_frame(login):
    page = login(DEMO_KEY).get("/embed/rate/")

    assert page.status_code == 401


def test_the_key_is_never_logged_nor_shown(caplog, make_images):
    caplog.set_level(logging.DEBUG)
    make_images(1)
    token = new_token()
    pages = [_frame(token), _frame(token), _frame("garbage"), token_call(OTHER_ORIGIN)]

    assert DEMO_KEY not in caplog.text
    assert all(DEMO_KEY.encode() not in page.content for page in pages)
