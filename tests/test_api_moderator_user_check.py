"""GET /api/v1/user/check/{user_id}: a Horde account's ratings in the last `minutes` and the past three hours, a
minute's pace over each, its suspect divergences (ratings of the timeframe at least `divergence` from their
image's average) and its failed captchas."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"


def rate(rater, image, rating, *, minutes_ago=0):
    stored = Rating.objects.create(rater=rater, image=image, rating=rating)
    Rating.objects.filter(pk=stored.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    Image.objects.filter(pk=image.pk).update(ratings_count=F("ratings_count") + 1, rating_sum=F("rating_sum") + rating)


def check(horde_id, query=""):
    response = Client().get(f"/api/v1/user/check/{horde_id}{query}", headers={"apikey": MODERATOR_KEY})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def suspect(make_images):
    """A rater with ratings 5, 30, 90 and 300 minutes ago; two of them far from the others' (at 5 and 90 min)."""
    images = make_images(4)
    suspect = Rater.objects.create(username="Suspect#5601", horde_id=5601)
    others = [Rater.objects.create(username=f"Other#{n}", horde_id=n) for n in (5602, 5603)]
    for image in images:
        for other in others:
            rate(other, image, 8, minutes_ago=1000)
    rate(suspect, images[0], 1, minutes_ago=5)  # average (8+8+1)/3 = 5.67: 4.67 away
    rate(suspect, images[1], 7, minutes_ago=30)  # average 7.67: 0.67 away
    rate(suspect, images[2], 2, minutes_ago=90)  # average 6: 4 away
    rate(suspect, images[3], 10, minutes_ago=300)  # average 8.67: 1.33 away
    captchas = make_images(3, dataset="captchas", is_captcha=True, captcha_answer=7)
    CaptchaAnswer.objects.create(rater=suspect, image=captchas[0], answer=3, passed=False)
    CaptchaAnswer.objects.create(rater=suspect, image=captchas[1], answer=None, passed=False)
    CaptchaAnswer.objects.create(rater=suspect, image=captchas[2], answer=7, passed=True)
    CaptchaAnswer.objects.create(rater=others[0], image=captchas[0], answer=1, passed=False)
    return suspect


def test_the_defaults_are_the_last_hour_and_a_divergence_of_three(suspect):
    assert check(5601) == {
        "ratings_in_timeframe": 2,
        "ratings_per_minute_in_timeframe": round(2 / 60, 3),
        "ratings_past_three_hours": 3,
        "ratings_per_minute_for_past_three_hours": round(3 / 180, 3),
        "suspect_divergences": 1,
        "captchas_failed": 2,
    }


def test_minutes_and_divergence_change_the_timeframe_and_what_is_suspect(suspect):
    answer = check(5601, "?minutes=120&divergence=4")

    assert (answer["ratings_in_timeframe"], answer["ratings_per_minute_in_timeframe"]) == (3, 0.025)
    assert answer["ratings_past_three_hours"] == 3
    assert answer["suspect_divergences"] == 2

    assert check(5601, "?minutes=600&divergence=1")["suspect_divergences"] == 3
    assert check(5601, "?minutes=600&divergence=5")["suspect_divergences"] == 0
    assert check(5601, "?minutes=600&divergence=0")["suspect_divergences"] == 4


def test_an_account_with_no_ratings_lately_answers_zeros(suspect):
    answer = check(5602, "?minutes=10")

    assert answer == {
        "ratings_in_timeframe": 0,
        "ratings_per_minute_in_timeframe": 0.0,
        "ratings_past_three_hours": 0,
        "ratings_per_minute_for_past_three_hours": 0.0,
        "suspect_divergences": 0,
        "captchas_failed": 1,
    }
