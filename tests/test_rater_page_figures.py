"""The rater page shows a moderator how fast a rater rates (the last minute, the last hour, the fastest run of 30),
how far their ratings are from the mean of the OTHER raters of each image (not the image's mean, which holds their
own rating), and the check images they missed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.moderation import actions
from ratings_site.ratings.models import Rating
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import page_of

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def no_flood_pause(settings):
    settings.RATINGS_PER_MINUTE_MAX = 10_000


def _at(rating: Rating, moment) -> None:
    Rating.objects.filter(pk=rating.pk).update(created_at=moment)


def test_the_pace_counts_the_last_minute_the_last_hour_and_the_fastest_run(make_images, moderator_client):
    farmer = horde_rater("Farmer")
    for image in make_images(35):
        rate(farmer, image, 5)
    ratings = list(Rating.objects.filter(rater=farmer).order_by("pk"))
    now = timezone.now()
    for i, rating in enumerate(ratings[:30]):  # 30 ratings 0.2 s apart, ten minutes ago: 5.8 s
        _at(rating, now - timedelta(minutes=10) + timedelta(seconds=0.2 * i))
    for rating in ratings[30:33]:
        _at(rating, now - timedelta(hours=2))
    _at(ratings[33], now - timedelta(seconds=30))
    _at(ratings[34], now - timedelta(seconds=20))

    page = moderator_client.get(page_of(farmer))

    assert page.status_code == 200
    pace = page.context["pace"]
    assert (pace.last_minute, pace.last_hour, pace.run_length) == (2, 32, 30)
    assert pace.run_seconds == pytest.approx(5.8)
    html = page.content.decode()
    assert "30 ratings in 5.8 s" in html


def test_a_divergence_is_measured_from_the_other_raters_mean(make_images, moderator_client):
    far, same, alone = make_images(3)
    farmer = horde_rater("Farmer")
    for score in (8, 9):
        rate(horde_rater(), far, score)
    rate(horde_rater(), same, 5)
    rate(farmer, far, 1)  # the image's mean is 6.0 with it, the others' 8.5
    rate(farmer, same, 5)
    rate(farmer, alone, 10)  # no one else: nothing to compare with

    latest = moderator_client.get(page_of(farmer)).context["latest"]

    assert [(row.rating.image_id, row.others_mean, row.divergence) for row in latest.suspects] == [
        (far.pk, 8.5, 7.5),
        (same.pk, 5.0, 0.0),
    ]
    assert latest.suspect_count == 1

    actions.invalidate_rating(actor=None, rating=Rating.objects.get(rater=farmer, image=far), reason="garbage")

    page = moderator_client.get(page_of(farmer))
    assert [(row.others_mean, row.divergence) for row in page.context["latest"].suspects][0] == (8.5, 7.5)
    assert "7.50" in page.content.decode()


def test_missed_check_images_are_counted_and_the_latest_shown(make_images, moderator_client, settings):
    settings.CAPTCHA_FAILS_TIMEOUT = 10
    checks = make_images(3, dataset="checks", is_captcha=True, captcha_answer=9)
    rater = horde_rater()
    rate(rater, checks[0], 2)
    rate(rater, checks[1], 3)
    rate(rater, checks[2], 9)  # passed

    page = moderator_client.get(page_of(rater))

    missed = page.context["missed"]
    assert (missed.answered_wrong, missed.total) == (2, 2)
    assert [answer.image_id for answer in missed.latest] == [checks[1].pk, checks[0].pk]
    html = page.content.decode()
    assert "2 answered wrong" in html
