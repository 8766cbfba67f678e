"""The history of acts lists every act (who, what, on whom, why, how many rows, undone or not) in a constant number
of queries, and its "Undo" action reverses the selected acts; the ratings list invalidates the selected ratings
(the fixed reason "Invalidated from the ratings list.") and restores them by undoing the acts that invalidated
them, the counters exact afterwards."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.moderation import actions
from ratings_site.moderation.models import ModerationAction
from ratings_site.ratings.models import Rating
from tests.conftest import admin_login
from tests.moderation_helpers import counters, horde_rater, rate
from tests.rater_page_helpers import page_of, post

pytestmark = pytest.mark.usefixtures("no_captchas")
HISTORY = "/admin/moderation/moderationaction/"


def _acts(count: int, make_images) -> list[ModerationAction]:
    made = []
    for image in make_images(count):
        rater = horde_rater()
        rate(rater, image, 3)
        made.append(actions.invalidate_rating(actor=None, rating=Rating.objects.get(rater=rater), reason="garbage"))
        made.append(actions.ban(actor=None, rater=rater, reason="farming"))
    return made


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_history_lists_the_acts_in_constant_queries(make_images):
    moderator = admin_login()
    _acts(2, make_images)
    few = _queries(moderator, HISTORY)
    acts = _acts(4, make_images)

    assert _queries(moderator, HISTORY) == few
    page = moderator.get(HISTORY, {"kind__exact": "ban"}).content.decode()
    assert page_of(acts[1].rater) in page and "farming" in page and "garbage" not in page


def test_undo_from_the_history_reverses_the_selected_acts(make_images):
    moderator = admin_login()
    invalidated, banned = _acts(1, make_images)
    image = Rating.objects.get(pk=invalidated.subject_ids["ratings"][0]).image

    answer = post(moderator, HISTORY, {"action": "undo_selected", "_selected_action": [invalidated.pk, banned.pk]})

    assert answer.status_code == 302
    told = [str(message) for message in get_messages(answer.wsgi_request)]
    assert sum(message.startswith("Undid") for message in told) == 2, told
    assert counters(image) == (1, 3, 0, 0)
    banned.rater.refresh_from_db()
    assert banned.rater.banned_at is None

    again = post(moderator, HISTORY, {"action": "undo_selected", "_selected_action": [invalidated.pk]})
    assert any("already undone" in str(message) for message in get_messages(again.wsgi_request))


def test_the_ratings_list_invalidates_and_restores_the_selected(make_images):
    moderator = admin_login()
    images = make_images(3)
    rater, other = horde_rater(), horde_rater()
    for image in images:
        rate(rater, image, 2)
        rate(other, image, 8)
    before = [counters(image) for image in images]
    chosen = list(Rating.objects.filter(rater=rater, image__in=images[:2]).values_list("pk", flat=True))

    post(moderator, "/admin/ratings/rating/", {"action": "invalidate_selected", "_selected_action": chosen})

    assert [counters(image) for image in images] == [(1, 8, 0, 0), (1, 8, 0, 0), before[2]]
    assert set(ModerationAction.objects.values_list("reason", flat=True)) == {"Invalidated from the ratings list."}

    post(moderator, "/admin/ratings/rating/", {"action": "restore_selected", "_selected_action": chosen})

    assert [counters(image) for image in images] == before
    assert not Rating.objects.filter(invalidated=True).exists()
