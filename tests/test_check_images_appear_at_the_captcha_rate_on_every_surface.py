"""Check images appear at CAPTCHA_RATE while a rater rates one card after another, on every surface: the page
through htmx, the page without JavaScript (form, redirect, ?next=), the embedded page, and the API. A check
drawn as the preloaded (upcoming) image is the next card, not dropped; each one served is recorded."""

from __future__ import annotations

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer
from tests.check_helpers import answer_for, card_form, plain_checks, shown_on
from tests.conftest import DEMO_KEY, csrf_token
from tests.embed_token_helpers import ORIGIN, embed_session_of, open_frame
from tests.rating_api_helpers import api_get, api_rate

CARDS = 200
RATE = 0.15  # 30 expected in 200 cards; binomial sd about 5


@pytest.fixture(autouse=True)
def pools(make_images, settings):
    settings.CAPTCHA_RATE = RATE
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    settings.API_REQUESTS_PER_MINUTE_PER_RATER = settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 10_000
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]
    make_images(CARDS + 20)
    plain_checks(80)


def _rate_by_htmx(client, first_page, headers) -> list:
    seen, html = [], first_page.content.decode()
    for _ in range(CARDS):
        image = shown_on(html)
        seen.append(image)
        answer = client.post(f"/images/{image.public_id}/rate/", card_form(html, image), headers=headers)
        assert answer.status_code == 200, answer.content.decode()[:500]
        html = answer.content.decode()
    return seen


def _htmx(login):
    client = login(DEMO_KEY)
    return _rate_by_htmx(client, client.get("/rate/"), {"HX-Request": "true", "X-CSRFToken": csrf_token(client)})


def _embedded(login):
    client, page = open_frame()
    headers = {"HX-Request": "true", "X-Embed-Session": embed_session_of(page)}
    return _rate_by_htmx(client, page, headers)


def _without_javascript(login):
    client = login(DEMO_KEY)
    seen, page = [], client.get("/rate/")
    for _ in range(CARDS):
        html = page.content.decode()
        image = shown_on(html)
        seen.append(image)
        answer = client.post(
            f"/images/{image.public_id}/rate/", {**card_form(html, image), "csrfmiddlewaretoken": csrf_token(client)}
        )
        assert answer.status_code == 302, answer.content.decode()[:500]
        page = client.get(answer["Location"])
    return seen


def _api(login):
    from ratings_site.datasets.models import Image

    seen = []
    for _ in range(CARDS):
        served = api_get("/api/v1/rating/new", apikey=DEMO_KEY)
        assert served.status_code == 200
        image = Image.objects.get(public_id=served.json()["id"])
        seen.append(image)
        assert api_rate(image.public_id, {"rating": answer_for(image)}, apikey=DEMO_KEY).status_code == 201
    return seen


@pytest.mark.parametrize("surface", [_htmx, _without_javascript, _embedded, _api], ids=lambda f: f.__name__.strip("_"))
def test_checks_appear_at_the_captcha_rate(login, surface):
    seen = surface(login)

    checks = [image for image in seen if image.is_captcha]
    print(f"{surface.__name__.strip('_')}: {len(checks)} check images in {CARDS} cards at CAPTCHA_RATE {RATE}")
    assert 10 <= len(checks) <= 60, f"{len(checks)} check images in {CARDS} cards at CAPTCHA_RATE {RATE}"
    assert len({image.pk for image in seen}) == CARDS  # never the same card twice
    rater = Rater.objects.get(horde_id=1001)
    answered = CaptchaAnswer.objects.filter(rater=rater)
    assert answered.count() == len(checks) and all(answer.passed for answer in answered)
