"""The reliability weights (reliability.weights) on a small simulated case stored through the real rules: good raters
(the truth, give or take one) keep a weight near 1, while a careless rater (random scores, failing checks) and an
adversarial one (11 minus the truth, passing checks) get clearly lower weights; a careless rater with two ratings
is shrunk toward the population; a banned rater's and an invalidated rating are not used; and `refresh_weights`
costs the same queries whatever the number of raters."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.moderation import actions
from ratings_site.ratings.models import Rating
from ratings_site.reliability.models import RaterWeight
from ratings_site.reliability.weights import UNKNOWN_WEIGHT, refresh_weights, weights_by_rater
from tests.moderation_helpers import horde_rater, rate

pytestmark = pytest.mark.usefixtures("no_captchas")

TRUTH = [2, 3, 4, 5, 6, 7, 8, 9, 3, 5, 7, 9, 2, 4, 6, 8, 5, 6, 4, 7]
NOISE = [0, 1, -1, 0, 0, 1, 0, -1, 0, 0]


@pytest.fixture(autouse=True)
def quick_ratings(settings):
    settings.RATING_MIN_SECONDS = 0
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    settings.RATINGS_PER_IMAGE = 30
    settings.CAPTCHA_FAILS_TIMEOUT = 1_000


def _clip(score: int) -> int:
    return min(max(score, 1), 10)


@pytest.fixture
def simulated(make_images):
    images = make_images(len(TRUTH), dataset="laion")
    checks = make_images(6, dataset="checks", is_captcha=True, captcha_answer=8)
    draw = random.Random(23)
    good = [horde_rater("Good") for _ in range(5)]
    careless, adversarial = horde_rater("Careless"), horde_rater("Adversarial")
    for g, rater in enumerate(good):
        for i, (image, truth) in enumerate(zip(images, TRUTH, strict=True)):
            rate(rater, image, _clip(truth + NOISE[(i + 3 * g) % len(NOISE)]))
        for check in checks:
            rate(rater, check, 8)
    for image, truth in zip(images, TRUTH, strict=True):
        rate(careless, image, draw.randint(1, 10))
        rate(adversarial, image, 11 - truth)
    for check in checks:
        rate(careless, check, draw.choice([1, 2, 3, 4, 5, 6, 7, 9, 10]))  # never the asked 8
        rate(adversarial, check, 8)  # knows a check when they see one
    return {"images": images, "checks": checks, "good": good, "careless": careless, "adversarial": adversarial}


def _weights() -> dict[int, float]:
    refresh_weights()
    return weights_by_rater()


def test_good_raters_keep_their_weight_and_bad_ones_lose_it(simulated):
    weights = _weights()
    good = [weights[rater.pk] for rater in simulated["good"]]
    careless, adversarial = weights[simulated["careless"].pk], weights[simulated["adversarial"].pk]

    assert min(good) >= 0.9
    assert careless < 0.35
    assert adversarial < 0.5
    assert max(careless, adversarial) < min(good) / 2


def test_the_stored_row_carries_the_inputs(simulated):
    refresh_weights()
    row = RaterWeight.objects.get(rater=simulated["careless"])

    assert row.ratings_count == len(TRUTH) == row.ratings_compared
    assert (row.checks_passed, row.checks_answered) == (0, 6)
    assert row.mean_squared_difference > 3 * RaterWeight.objects.get(rater=simulated["good"][0]).mean_squared_difference


def test_a_rater_with_few_ratings_is_shrunk_toward_the_population(simulated):
    newcomer = horde_rater("Newcomer")
    for image, truth in list(zip(simulated["images"], TRUTH, strict=True))[:2]:
        rate(newcomer, image, 11 - truth)  # as far off as the adversary, twice only
    run = refresh_weights()
    weights = weights_by_rater()
    row = RaterWeight.objects.get(rater=newcomer)
    unshrunk = run.population_msd / row.mean_squared_difference  # their own msd alone, no prior

    assert row.ratings_compared == 2
    assert weights[simulated["adversarial"].pk] < weights[newcomer.pk] < 1.0
    assert weights[newcomer.pk] > 3 * unshrunk


def test_a_banned_raters_ratings_and_an_invalidated_rating_are_not_used(simulated):
    before = {row.rater_id: row for row in (refresh_weights(), RaterWeight.objects.all())[1]}

    farmer = horde_rater("Farmer")
    for image in simulated["images"]:
        rate(farmer, image, 10)
    actions.ban(actor=None, rater=farmer, reason="a farmer")
    good = simulated["good"][0]
    extra = simulated["images"][0]
    Rating.objects.filter(rater=good, image=extra).delete()
    rate(good, extra, 1)  # far from the others' mean...
    actions.invalidate_rating(
        actor=None, rating=Rating.objects.get(rater=good, image=extra), reason="slipped"
    )  # ...and taken out
    refresh_weights()
    after = {row.rater_id: row for row in RaterWeight.objects.all()}

    assert farmer.pk not in after  # no counted rating: no weight
    assert weights_by_rater([farmer.pk]) == {}
    assert after[good.pk].ratings_count == before[good.pk].ratings_count - 1
    for rater_id, row in after.items():
        if rater_id == good.pk:
            continue
        # the others' means lost one rating of the good rater's, nothing of the farmer's
        assert row.ratings_count == before[rater_id].ratings_count
    assert after[simulated["careless"].pk].weight < 0.35


def test_a_rater_never_computed_reads_as_unknown(simulated):
    refresh_weights()
    stranger = horde_rater("Stranger")
    assert weights_by_rater([stranger.pk]).get(stranger.pk, UNKNOWN_WEIGHT) == UNKNOWN_WEIGHT == 1.0


def _queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        refresh_weights()
    return len(queries)


def test_refresh_weights_costs_the_same_queries_for_7_or_21_raters(simulated):
    refresh_weights()  # the first run also creates the job's progress row
    few = _queries()
    for _ in range(14):
        rater = horde_rater("More")
        for image, truth in zip(simulated["images"], TRUTH, strict=True):
            rate(rater, image, truth)
        rate(rater, simulated["checks"][0], 8)
    assert RaterWeight.objects.count() == 7

    assert _queries() == few
    assert RaterWeight.objects.count() == 21
