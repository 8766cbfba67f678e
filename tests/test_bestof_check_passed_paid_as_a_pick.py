"""Picking the check of a check group passes, and is paid and answered exactly as a pick: KUDOS_PER_BEST_PICK on a
best-of ledger line that reads as a pick's, "Saved: image N is best · +5 kudos", told to a framing app alike. The
real group is not picked, skipped or paid by it: it stays in the rater's queue. A double submit answers as the
first did and pays once. It counts in the flood limit as a pick does."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import BestPick, CheckGroup, GroupSkip, ImagePreference, PromptGroup
from ratings_site.bestof.selectors import groups_left_for, next_groups_for
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import ratings_in_the_last_minute
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
from ratings_site.ratings.services import missed_checks
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    post_card,
    shown_group,
    shown_images,
)
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.usefixtures("media")


def test_picking_the_check_is_paid_and_answered_as_a_pick(login, settings):
    settings.KUDOS_PER_BEST_PICK = 5
    make_file_groups(3, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    group, images = shown_group(page), shown_images(page)
    position = images.index(check) + 1
    left_before = groups_left_for(rater, dataset=group.dataset)
    settings.CAPTCHA_RATE = 0.0

    response = post_card(client, page, "pick", winner=str(check.public_id))
    again = post_card(client, page, "pick", winner=str(check.public_id))

    assert response.status_code == again.status_code == 200
    for answer in (response, again):
        assert f"Saved: image {position} is best · +5 kudos" in answer.content.decode()
        assert "check" not in answer.content.decode().lower()
    line = KudosReward.objects.get()
    assert (line.rater, line.kind, line.amount, line.status) == (rater, KudosReward.Kind.BEST_PICK, 5, "pending")
    assert line.image_id is None and line.rating_id is None

    # The check is answered; the real group was neither picked nor skipped and is still to be picked.
    answered = CheckGroup.objects.get(rater=rater, check_image=check)
    assert answered.passed is True and answered.answered_at is not None
    assert not ServedImage.objects.filter(rater=rater).exists()
    assert not CaptchaAnswer.objects.exists()
    assert missed_checks(rater) == 0
    assert not BestPick.objects.exists() and not GroupSkip.objects.exists() and not ImagePreference.objects.exists()
    assert PromptGroup.objects.get(pk=group.pk).picks_count == 0
    assert group.pk in {shown.group.pk for shown in next_groups_for(rater, dataset=group.dataset, count=3)}
    assert groups_left_for(rater, dataset=group.dataset) == left_before

    # A real pick's line, for comparison: the same kind, amount and reason.
    plain = client.get(best_url()).content.decode()
    post_card(client, plain, "pick", winner="none")
    pick_line = KudosReward.objects.exclude(pk=line.pk).get()
    assert (pick_line.kind, pick_line.amount, pick_line.reason) == (line.kind, line.amount, line.reason)


def test_a_passed_check_in_a_plain_form_is_saved_as_a_pick_is(login, settings):
    make_file_groups(2, size=2)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    position = shown_images(page).index(check) + 1
    settings.CAPTCHA_RATE = 0.0

    response = post_card(client, page, "pick", winner=str(check.public_id), htmx=False)

    assert response.status_code == 302
    assert f"Saved: image {position} is best · +5 kudos" in client.get(response["Location"]).content.decode()


def test_a_passed_check_counts_in_the_flood_limit_as_a_pick(login, settings):
    make_file_groups(2, size=2)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 0.0
    settings.RATINGS_PER_MINUTE_MAX = 1

    post_card(client, page, "pick", winner=str(check.public_id))

    assert ratings_in_the_last_minute(rater) == 1
    rater.refresh_from_db()
    assert rater.active_pause() is not None, "the limit reached by the check, as a pick reaches it"
