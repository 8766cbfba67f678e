"""Skipping or reporting a captcha is no free pass: it counts as a missed check (said as a wrong answer is),
goes to no moderator, is not served again, and CAPTCHA_FAILS_TIMEOUT misses pause the rater."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Skip
from tests.conftest import DEMO_KEY, csrf_token

PATHS = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
MISS = "That image was a check: it asked you to rate it a 7. Skipping or reporting a check counts as missing it."


@pytest.fixture
def captchas(db, settings):
    settings.CAPTCHA_FAILS_TIMEOUT = 3

    def _make(count: int) -> list[Image]:
        pool, _ = Dataset.objects.get_or_create(slug="captcha-pool", defaults={"name": "Captchas", "public": False})
        return [
            Image.objects.create(
                dataset=pool, url=f"https://images.example.org/{uuid.uuid4().hex}.png", caption="a sunset",
                dedupe_key=uuid.uuid4().hex, is_captcha=True, captcha_answer=7,
            )
            for _ in range(count)
        ]

    return _make


def _skip(client: Client, image: Image, *, htmx: bool, **data):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/skip/"
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@PATHS
@pytest.mark.parametrize("reason", ["skipped", "watermark", "other"])
def test_a_skipped_or_reported_captcha_is_a_miss(login, make_images, captchas, htmx, reason, settings):
    settings.CAPTCHA_RATE = 0.0
    make_images(2)
    (captcha,) = captchas(1)
    client = login(DEMO_KEY)

    response = _skip(client, captcha, htmx=htmx, reason=reason, note="text on it")

    assert response.status_code == (200 if htmx else 302)
    page = response.content.decode() if htmx else client.get(response["Location"]).content.decode()
    assert MISS in page
    assert "Thanks for the report" not in page
    answer = CaptchaAnswer.objects.get(image=captcha)
    assert (answer.answer, answer.passed) == (None, False)
    assert Skip.objects.count() == 0, "no report of a check goes to moderators"
    captcha.refresh_from_db()
    assert captcha.reports_count == 0


def test_a_skipped_captcha_is_not_served_again(login, make_images, captchas, settings):
    settings.CAPTCHA_RATE = 1.0
    images = make_images(2)
    (captcha,) = captchas(1)
    client = login(DEMO_KEY)
    _skip(client, captcha, htmx=False)

    page = client.get("/rate/").content.decode()

    assert f'data-image-id="{captcha.public_id}"' not in page
    assert any(f'data-image-id="{image.public_id}"' in page for image in images)


def test_skipping_the_same_captcha_twice_is_one_miss(login, make_images, captchas, settings):
    settings.CAPTCHA_RATE = 0.0
    make_images(1)
    (captcha,) = captchas(1)
    client = login(DEMO_KEY)

    _skip(client, captcha, htmx=True)
    _skip(client, captcha, htmx=True, reason="nsfw")

    assert CaptchaAnswer.objects.filter(passed=False).count() == 1


@PATHS
def test_misses_by_skipping_pause_the_rater(login, make_images, captchas, htmx, settings):
    settings.CAPTCHA_RATE = 0.0
    (image,) = make_images(1)
    checks = captchas(3)
    client = login(DEMO_KEY)

    for check in checks[:2]:
        _skip(client, check, htmx=htmx)
    assert Rater.objects.get(horde_id=1001).paused_until is None
    third = _skip(client, checks[2], htmx=htmx, reason="watermark")

    page = third.content.decode() if htmx else client.get(third["Location"]).content.decode()
    assert "You missed 3 check images in the last 24 hours" in page
    assert 'data-testid="paused"' in page
    assert Rater.objects.get(horde_id=1001).paused_until is not None
    refused = client.post(
        f"/images/{image.public_id}/rate/", {"rating": "7", "csrfmiddlewaretoken": csrf_token(client)}
    )
    assert refused.status_code == 429
