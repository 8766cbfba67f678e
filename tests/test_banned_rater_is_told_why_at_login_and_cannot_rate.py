"""A banned rater cannot log in, rate by page or API, or be paid, and is told the moderators' reason each time;
the login's sync with the Horde never lifts the ban. Unbanning (the ban's undo) lets them back exactly as before."""

from __future__ import annotations

import pytest
from django.test import Client

from ratings_site.moderation import actions
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token
from tests.moderation_helpers import counters, horde_rater, line_statuses, rate
from tests.rating_api_helpers import api_rate

pytestmark = pytest.mark.usefixtures("no_captchas")
REASON = "Rated 30 images 5 in 5.7 seconds"


def _login_page(key: str) -> tuple[Client, object]:
    client = Client()
    client.get("/login/")
    return client, client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": csrf_token(client)})


def test_a_banned_rater_is_refused_at_login_with_the_reason(login, make_images):
    make_images(1)
    login()  # the rater exists
    rater = Rater.objects.get(horde_id__gt=0, username__startswith="DemoRater")
    actions.ban(actor=None, rater=rater, reason=REASON)

    client, answer = _login_page(DEMO_KEY)

    assert answer.status_code == 403
    page = answer.content.decode()
    assert "banned" in page and REASON in page
    assert "_auth_user_id" not in client.session
    rater.refresh_from_db()
    assert rater.banned_at is not None and rater.ban_reason == REASON  # the login's sync left the ban alone


def test_a_banned_rater_cannot_rate_by_page_or_api_and_is_told_why(login, make_images):
    images = make_images(2)
    client = login()
    rater = Rater.objects.get(username__startswith="DemoRater")
    actions.ban(actor=None, rater=rater, reason=REASON)

    page = client.post(
        f"/images/{images[0].public_id}/rate/", {"rating": "7", "csrfmiddlewaretoken": csrf_token(client)}
    )
    api = api_rate(images[1].public_id, {"rating": 7}, apikey=DEMO_KEY)

    assert page.status_code == 403 and REASON in page.content.decode()
    assert api.status_code == 403 and REASON in api.json()["message"] and api.json()["code"] == "banned"
    assert not Rating.objects.filter(rater=rater).exists()


def test_a_ban_stops_the_ratings_counting_and_the_kudos_and_unbanning_restores_both(make_images):
    images = make_images(3)
    banned, other = horde_rater(), horde_rater()
    for image in images:
        rate(banned, image, 10, 5)
        rate(other, image, 4)
    before = [counters(image) for image in images]

    ban = actions.ban(actor=None, rater=banned, reason=REASON)

    assert [counters(image) for image in images] == [(1, 4, 0, 0)] * 3
    assert line_statuses(banned) == ["cancelled"] * 3
    assert line_statuses(other) == ["pending"] * 3
    with pytest.raises(actions.ActionRefused, match="already banned"):
        actions.ban(actor=None, rater=banned, reason="again")

    unban = actions.unban(actor=None, rater=banned, reason="appeal accepted")

    assert unban.undoes == ban
    assert [counters(image) for image in images] == before
    assert line_statuses(banned) == ["pending"] * 3
    banned.refresh_from_db()
    assert banned.banned_at is None and banned.ban_reason == ""


def test_unbanning_keeps_ratings_a_moderator_invalidated_out(make_images):
    image = make_images(1)[0]
    rater = horde_rater()
    rate(rater, image, 9)
    actions.invalidate_rating(actor=None, rating=Rating.objects.get(rater=rater), reason="garbage")
    actions.ban(actor=None, rater=rater, reason=REASON)
    actions.unban(actor=None, rater=rater)
    assert counters(image) == (0, 0, 0, 0)
    assert Rating.objects.get(rater=rater).counts is False
