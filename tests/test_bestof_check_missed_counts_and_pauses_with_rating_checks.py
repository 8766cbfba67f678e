"""A check group answered with another image, "no clear winner" or a skip is a missed check: stored as a
CaptchaAnswer (not passed), unpaid, said to the rater ("Image N was a check"), and counted with the rating page's
missed checks (ratings.services.missed_checks), so that CAPTCHA_FAILS_TIMEOUT misses of either kind pause the rater
on every page. A check group shown and left unanswered counts as a miss after UNANSWERED_CHECK_GRACE, as a rating
page's check does. The real group is left as it was: not picked, not skipped."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.bestof.models import BestPick, CheckGroup, GroupSkip, ImagePreference
from ratings_site.datasets.models import Dataset, Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
from ratings_site.ratings.services import UNANSWERED_CHECK_GRACE, missed_checks
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    post_card,
    shown_group,
    shown_images,
)
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = pytest.mark.usefixtures("media")


def _check_group(client, settings, checks: list[Image]) -> tuple[str, Image]:
    """A check group on the page (CAPTCHA_RATE 1 for this one draw), and its check."""
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 0.0
    (check,) = [image for image in shown_images(page) if image in checks]
    return page, check


@pytest.mark.parametrize("answer", ["another image", "none", "skip"])
def test_anything_but_the_check_is_a_miss_said_and_counted(login, settings, answer):
    make_file_groups(3, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    page, _ = _check_group(client, settings, [check])
    position = shown_images(page).index(check) + 1
    group = shown_group(page)
    assert missed_checks(rater) == 0, "on screen: not missed yet"
    served = ServedImage.objects.filter(rater=rater, image=check)
    served.update(served_at=timezone.now() - UNANSWERED_CHECK_GRACE - timedelta(seconds=1))
    assert missed_checks(rater) == 1, "left unanswered: a miss meanwhile"

    if answer == "skip":
        response = post_card(client, page, "skip")
    else:
        other = next(image for image in shown_images(page) if image != check)
        response = post_card(client, page, "pick", winner=str(other.public_id) if answer == "another image" else "none")

    assert response.status_code == 200
    body = response.content.decode()
    assert f"Image {position} was a check: it asked you to pick it as the best." in body
    if answer == "skip":
        assert "Skipping a group with a check counts as missing it." in body
    assert "Saved:" not in body
    stored = CaptchaAnswer.objects.get()
    assert (stored.rater, stored.image, stored.answer, stored.passed) == (rater, check, None, False)
    assert CheckGroup.objects.get().passed is False
    assert missed_checks(rater) == 1, "one miss, once: answered, it is no longer also pending"
    assert not KudosReward.objects.exists()
    assert not BestPick.objects.exists() and not ImagePreference.objects.exists()
    assert not GroupSkip.objects.filter(group=group).exists()
    assert check not in shown_images(body), "the next card is another one"
    # Its card sent again with a winner that is no answer: refused, the card shown again, and nothing pending anew.
    assert post_card(client, page, "pick", winner="not-an-image").status_code == 400
    assert not ServedImage.objects.filter(rater=rater, image=check).exists()


def test_misses_on_both_pages_count_together_and_pause_everywhere(login, settings):
    settings.CAPTCHA_FAILS_TIMEOUT = 3
    settings.CAPTCHA_PAUSE_MINUTES = 60
    make_file_groups(3, size=2)
    first, second = best_checks(2)
    pool = Dataset.objects.get(slug="captchas")
    rating_check = Image.objects.create(
        dataset=pool,
        url=f"https://images.example.org/{uuid.uuid4().hex}.png",
        caption="a sunset",
        dedupe_key=uuid.uuid4().hex,
        is_captcha=True,
        captcha_answer=7,
    )
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    client.get("/rate/shots/")
    # A miss on the rating page: a check image skipped.
    client.post(f"/images/{rating_check.public_id}/skip/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert missed_checks(rater) == 1

    page, _ = _check_group(client, settings, [first, second])
    post_card(client, page, "pick", winner="none")
    assert missed_checks(rater) == 2
    rater.refresh_from_db()
    assert rater.active_pause() is None

    page, _ = _check_group(client, settings, [first, second])
    response = post_card(client, page, "skip")

    assert missed_checks(rater) == 3
    rater.refresh_from_db()
    assert rater.active_pause() is not None
    assert "You missed 3 check images in the last 24 hours" in rater.pause_reason
    assert 'data-testid="paused"' in response.content.decode()
    assert 'data-testid="paused"' in client.get("/rate/shots/").content.decode()
    assert 'data-testid="paused"' in client.get(best_url()).content.decode()
