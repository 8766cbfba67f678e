"""A Horde moderator acts on a rater from the rater page, over HTTP as the browser does (CSRF on): a ban with a
reason refuses the rater at login with that reason, and its Undo lets them in again; invalidating a span takes the
ratings out of the counters (the images return to the queue) and its Undo brings the same numbers back. Bad input
(no reason, a date that is not one, a span that ends before it starts) is told in a message, with a redirect back
that keeps what was typed; nothing changes."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from ratings_site.moderation.models import ModerationAction
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, admin_login, csrf_token
from tests.helpers import in_queue
from tests.moderation_helpers import counters, horde_rater, rate
from tests.rater_page_helpers import act_url, page_of, post

pytestmark = pytest.mark.usefixtures("no_captchas")
REASON = "Rated 30 images 5 in 5.7 seconds"
SPAN_FORMAT = "%Y-%m-%dT%H:%M"


def _told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _login_answer(key: str):
    client = Client()
    client.get("/login/")
    return client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": csrf_token(client)})


def _undo(moderator: Client, rater: Rater, act: ModerationAction):
    return post(moderator, f"/admin/raters/rater/{rater.pk}/undo/{act.pk}/", {"undo-reason": "appeal accepted"})


def test_a_ban_with_a_reason_refuses_the_rater_at_login_and_its_undo_lets_them_in(login, make_images):
    make_images(1)
    login(DEMO_KEY)
    rater = Rater.objects.get(username__startswith="DemoRater")
    moderator = admin_login()

    banned = post(moderator, act_url(rater, "ban"), {"ban-reason": REASON})

    assert banned.status_code == 302
    act = ModerationAction.objects.get(rater=rater, kind="ban")
    assert banned["Location"] == f"{page_of(rater)}?done={act.pk}#rater-done"
    assert any(message.startswith(f"Banned {rater}") for message in _told(banned))
    refused = _login_answer(DEMO_KEY)
    assert refused.status_code == 403 and REASON in refused.content.decode()
    page = moderator.get(banned["Location"]).content.decode()
    assert REASON in page and f"/undo/{act.pk}/" in page

    undone = _undo(moderator, rater, act)

    assert undone.status_code == 302
    assert any(message.startswith("Undid") for message in _told(undone))
    assert _login_answer(DEMO_KEY).status_code == 302
    rater.refresh_from_db()
    assert rater.banned_at is None
    assert ModerationAction.objects.get(undoes=act).actor.horde_id == 1003


def test_a_span_invalidated_from_the_page_and_undone_leaves_the_counters_exact(make_images, settings):
    settings.RATINGS_PER_IMAGE = 2
    images = make_images(3)
    farmer, other = horde_rater("Farmer"), horde_rater()
    for image in images:
        rate(other, image, 8)
        rate(farmer, image, 5)
    before = [counters(image) for image in images]
    assert not any(in_queue(image) for image in images)
    moderator = admin_login()
    page = moderator.get(page_of(farmer)).content.decode()
    assert 'name="span-start"' in page and 'name="span-end"' in page
    now = timezone.localtime()

    done = post(
        moderator,
        act_url(farmer, "invalidate_span"),
        {
            "span-start": (now - timedelta(hours=1)).strftime(SPAN_FORMAT),
            "span-end": (now + timedelta(minutes=1)).strftime(SPAN_FORMAT),
            "span-reason": REASON,
        },
    )

    assert done.status_code == 302
    assert "Invalidated 3 ratings; 3 images of theirs in the queue now" in _told(done)[0]
    assert [counters(image) for image in images] == [(1, 8, 0, 0)] * 3
    assert all(in_queue(image) for image in images)
    act = ModerationAction.objects.get(rater=farmer, kind="invalidate")

    assert _undo(moderator, farmer, act).status_code == 302

    assert [counters(image) for image in images] == before
    assert not Rating.objects.filter(invalidated=True).exists()
    assert not any(in_queue(image) for image in images)


def test_one_rating_invalidated_from_the_recent_list(make_images):
    image = make_images(1)[0]
    rater = horde_rater()
    rate(rater, image, 3)
    moderator = admin_login()
    rating = Rating.objects.get(rater=rater)
    assert f'name="one-rating" value="{rating.pk}"' in moderator.get(page_of(rater)).content.decode()

    done = post(moderator, act_url(rater, "invalidate_one"), {"one-rating": rating.pk, "one-reason": "garbage"})

    assert done.status_code == 302 and "Invalidated 1 rating" in _told(done)[0]
    assert counters(image) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("act", "typed", "told"),
    [
        ("ban", {"ban-reason": "  "}, "Give a reason for the ban"),
        (
            "invalidate_span",
            {"span-start": "yesterday", "span-end": "2026-01-01T10:00", "span-reason": "x"},
            "The start is not a date and time.",
        ),
        (
            "invalidate_span",
            {"span-start": "2026-01-02T10:00", "span-end": "2026-01-01T10:00", "span-reason": "x"},
            "The span ends before it starts",
        ),
        (
            "invalidate_span",
            {"span-start": "2026-01-01T10:00", "span-end": "2026-01-02T10:00", "span-reason": ""},
            "Give a reason",
        ),
        ("invalidate_one", {"one-rating": "999999", "one-reason": "garbage"}, "not one of this rater's"),
        ("unban", {"unban-reason": "no ban here"}, "is not banned"),
    ],
)
def test_bad_input_is_told_and_the_typed_values_come_back(make_images, act, typed, told):
    rater = horde_rater()
    rate(rater, make_images(1)[0], 4)
    moderator = admin_login()

    answer = post(moderator, act_url(rater, act), typed)

    assert answer.status_code == 302
    assert any(told in message for message in _told(answer)), _told(answer)
    location = urlsplit(answer["Location"])
    assert location.path == page_of(rater)
    kept = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert {name: value for name, value in typed.items() if value.strip()} == {
        name: value for name, value in kept.items() if value.strip()
    }
    assert not ModerationAction.objects.exists()
    assert Rating.objects.get(rater=rater).counts
    again = moderator.get(answer["Location"])
    assert again.status_code == 200
    shown = again.content.decode()
    for name, value in typed.items():
        if value.strip() and name != "one-rating" and act != "unban":  # no unban form for a rater not banned
            assert f'value="{value}"' in shown or f">{value}</textarea>" in shown, name
