"""The training set: only visible, non-captcha images with enough ratings from raters in good standing."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ratings_site.predictor.training.data import load_training_set
from ratings_site.raters.standing import rater_counts
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.planted_ratings import KEY, make_rater, store_embeddings, unit_vectors


@pytest.fixture
def selection(make_images, settings):
    settings.MIN_RATINGS_FOR_TRAINING = 3
    good = [make_rater(f"good-{i}") for i in range(3)]
    banned = make_rater("banned", is_active=False)
    flagged = make_rater("flagged", flagged=True)
    kept, banned_rated, hidden, too_few, answers_only, no_embedding, low = make_images(7)
    hidden.hidden = True
    hidden.save(update_fields=["hidden"])
    (captcha,) = make_images(1, dataset="captcha-pool", is_captcha=True, captcha_answer=7)
    images = [kept, banned_rated, hidden, too_few, answers_only, no_embedding, low, captcha]
    embeddings = unit_vectors(np.random.default_rng(5), len(images), 8)
    store_embeddings([i for i in images if i != no_embedding], np.delete(embeddings, 5, axis=0))
    store_embeddings([no_embedding], embeddings[5:6], key="other-model/none")

    def rate(image, ratings):
        # Stored as the rating rule stores them: a banned or flagged rater's ratings do not count.
        Rating.objects.bulk_create(
            Rating(rater=rater, image=image, rating=value, counts=rater_counts(rater)) for rater, value in ratings
        )
        # Counters that count every rating: training must not read them, but the ratings that count.
        image.ratings_count, image.rating_sum = len(ratings), sum(value for _, value in ratings)
        image.save(update_fields=["ratings_count", "rating_sum"])

    rate(kept, [(good[0], 4), (good[1], 6), (good[2], 8), (banned, 10), (flagged, 10)])
    rate(banned_rated, [(good[0], 5), (good[1], 5), (banned, 9), (flagged, 9)])  # 2 that count
    rate(hidden, [(rater, 7) for rater in good])
    rate(too_few, [(good[0], 3), (good[1], 3)])
    rate(answers_only, [(good[0], 9), (good[1], 9)])
    CaptchaAnswer.objects.create(rater=good[2], image=answers_only, answer=9, passed=True)  # never a rating
    rate(no_embedding, [(rater, 2) for rater in good])
    rate(low, [(good[0], 1), (good[1], 2), (good[2], 2)])
    rate(captcha, [(rater, 7) for rater in good])
    for rater in good:
        CaptchaAnswer.objects.create(rater=rater, image=captcha, answer=7, passed=True)
    return {"kept": kept, "low": low, "embeddings": embeddings}


def test_only_good_standing_ratings_of_visible_non_captcha_images_count(selection):
    training_set = load_training_set(KEY)

    kept, low = selection["kept"], selection["low"]
    assert training_set.image_ids.tolist() == sorted([kept.pk, low.pk])
    by_id = dict(zip(training_set.image_ids.tolist(), training_set.targets.tolist()))
    assert by_id[kept.pk] == pytest.approx(6.0)  # the banned and the flagged rater's 10s left out
    assert by_id[low.pk] == pytest.approx(5 / 3)
    assert training_set.rating_counts.tolist() == [3, 3]
    assert training_set.without_embedding == 1
    expected = selection["embeddings"][[0, 6]].astype(np.float16).astype(np.float32)
    order = np.argsort([kept.pk, low.pk])
    np.testing.assert_array_equal(training_set.embeddings, expected[order])


def test_a_lower_minimum_takes_images_with_fewer_ratings(selection, settings):
    settings.MIN_RATINGS_FOR_TRAINING = 2
    training_set = load_training_set(KEY)
    assert len(training_set) == 5  # kept, banned_rated, too_few, answers_only, low; never hidden or captcha


def test_the_command_refuses_too_few_images_and_says_how_many(selection):
    with pytest.raises(CommandError) as refused:
        call_command("train_predictor", "--clip-model", "tiny", "--pretrained", "none", "--no-progress")
    message = str(refused.value)
    assert "found 2" in message and "at least 20" in message
    assert "1 more have the ratings but no tiny/none embedding" in message
