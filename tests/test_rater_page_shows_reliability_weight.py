"""The moderators' rater page shows the rater's reliability weight with its inputs (ratings compared, mean squared
difference, checks passed of answered, when it was computed), and says "not computed yet" before the job ran."""

from __future__ import annotations

import re

import pytest

from ratings_site.reliability.weights import refresh_weights
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import page_of

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def quick_ratings(settings):
    settings.RATING_MIN_SECONDS = 0
    settings.CAPTCHA_FAILS_TIMEOUT = 100


def _text(response) -> str:
    """What a person reads: the page's text, each tag a space, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def farmer(make_images):
    """A rater far from two others on three images, who passed one check of two."""
    farmer, others = horde_rater("Farmer"), [horde_rater(), horde_rater()]
    for image in make_images(3):
        for other in others:
            rate(other, image, 8)
        rate(farmer, image, 2)
    passed, failed = make_images(2, dataset="checks", is_captcha=True, captcha_answer=6)
    rate(farmer, passed, 6)
    rate(farmer, failed, 1)
    return farmer


def test_before_the_job_ran_the_page_says_not_computed_yet(moderator_client, farmer):
    page = moderator_client.get(page_of(farmer))

    assert page.status_code == 200
    assert "Reliability weight" in _text(page)
    assert "Not computed yet." in _text(page)


def test_the_page_shows_the_weight_and_its_inputs(moderator_client, farmer):
    refresh_weights()
    row = farmer.reliability

    text = _text(moderator_client.get(page_of(farmer)))

    assert 0 < row.weight < 1
    assert f"{row.weight:.2f} (1 is as reliable as the raters overall or more" in text
    assert "Ratings compared 3 of 3 counted" in text
    assert "Mean squared difference 36.00 from the others' mean" in text  # (2 - 8)^2 on each image
    assert "Checks 1 passed of 2 answered" in text
    assert f"Computed {row.computed_at:%Y-%m-%d %H:%M}" in text


def test_a_banned_rater_is_said_to_get_no_weight(moderator_client, farmer):
    from ratings_site.moderation import actions

    actions.ban(actor=None, rater=farmer, reason="a farmer")
    refresh_weights()

    text = _text(moderator_client.get(page_of(farmer)))

    assert "Not computed yet: their ratings do not count, so they get no weight." in text
