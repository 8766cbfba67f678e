"""The moderators' calls as pages (`format=html`: /api/v1/user/check|validate|ratings, /api/v1/image/ratings) open in
a moderator's browser with their admin session, no apikey header, and link each rater to their rater page in the
admin. The JSON answers keep needing the key; a rater's session opens no page; a moderator the Horde demoted loses
the pages as they lose the admin."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY, MODERATOR_KEY, admin_login
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import page_of

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def rated(make_images):
    """An image rated by two raters; the first is the account the pages look at."""
    image = make_images(1)[0]
    first, second = horde_rater("Farmer"), horde_rater()
    rate(first, image, 2)
    rate(second, image, 9)
    return image, first, second


def _pages(image, rater: Rater) -> list[str]:
    return [
        f"/api/v1/user/check/{rater.horde_id}?format=html",
        f"/api/v1/user/validate/{rater.horde_id}?format=html",
        "/api/v1/user/ratings/?format=html",
        f"/api/v1/image/ratings/{image.public_id}?format=html",
    ]


def test_the_pages_open_with_the_admin_session_and_link_the_rater_pages(rated):
    image, first, second = rated
    moderator = admin_login()

    for url in _pages(image, first):
        answer = moderator.get(url)
        assert answer.status_code == 200, (url, answer.content[:300])
        assert answer["Content-Type"] == "text/html; charset=utf-8"
        assert f'href="{page_of(first)}"' in answer.content.decode(), url
    listing = moderator.get("/api/v1/user/ratings/?format=html").content.decode()
    assert f'<a href="{page_of(second)}">{second.username}</a>' in listing


def test_the_json_answers_still_need_the_key(rated):
    image, first, _ = rated
    moderator = admin_login()

    for url in _pages(image, first):
        answer = moderator.get(url.replace("format=html", "format=json"))
        assert answer.status_code == 401 and "apikey" in answer.json()["message"], url
    assert moderator.get(f"/api/v1/user/check/{first.horde_id}").status_code == 401
    keyed = moderator.get(f"/api/v1/user/check/{first.horde_id}", headers={"apikey": MODERATOR_KEY})
    assert keyed.json()["ratings_past_three_hours"] == 1


def test_a_raters_session_opens_no_page(rated, login):
    image, first, _ = rated
    rater = login(DEMO_KEY)

    for url in _pages(image, first):
        assert rater.get(url).status_code == 401, url


def test_a_moderator_the_horde_demoted_loses_the_pages(rated, horde):
    image, first, _ = rated
    moderator = admin_login()
    horde.add_user(MODERATOR_KEY, DEMO_KEYS[MODERATOR_KEY] | {"moderator": False})
    cache.clear()  # find_user answers are cached for FIND_USER_CACHE_SECONDS

    answer = moderator.get(_pages(image, first)[0])

    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    assert moderator.get(_pages(image, first)[0]).status_code == 401
