"""Invalidating ratings (one, or a rater's span) takes them out of the counters, the queue rule, the export and
training, and cancels their unpaid kudos; restoring them (the act's undo) brings back exactly the same numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.exports.services import ratings_to_export
from ratings_site.moderation import actions
from ratings_site.moderation.models import ModerationAction
from ratings_site.predictor.training.data import good_standing_ratings
from ratings_site.ratings.models import Rating
from tests.helpers import in_queue
from tests.moderation_helpers import counters, horde_rater, line_statuses, rate

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def moderator(db):
    return horde_rater("Moderator", moderator=True, is_staff=True)


def test_one_invalidated_rating_leaves_the_counters_and_the_image_returns_to_the_queue(
    make_images, moderator, settings
):
    settings.RATINGS_PER_IMAGE = 2
    image = make_images(1, dataset="laion")[0]
    first, second = horde_rater(), horde_rater()
    rate(first, image, 9, 4)
    rate(second, image, 3)
    assert counters(image) == (2, 12, 1, 4)
    assert not in_queue(image)
    bad = Rating.objects.get(rater=first, image=image)

    act = actions.invalidate_rating(actor=moderator, rating=bad, reason="rated everything 9 in a second")

    assert counters(image) == (1, 3, 0, 0)
    assert in_queue(image)
    assert not ratings_to_export().filter(pk=bad.pk).exists()
    assert not good_standing_ratings().filter(pk=bad.pk).exists()
    assert line_statuses(first) == ["cancelled"]
    assert line_statuses(second) == ["pending"]
    assert act.kind == ModerationAction.Kind.INVALIDATE and act.actor == moderator and act.rater == first

    undo = actions.undo(actor=moderator, action=act, reason="a mistake")

    assert undo.kind == ModerationAction.Kind.RESTORE and undo.undoes == act
    assert counters(image) == (2, 12, 1, 4)
    assert not in_queue(image)
    assert ratings_to_export().filter(pk=bad.pk).exists()
    assert good_standing_ratings().filter(pk=bad.pk).exists()
    assert line_statuses(first) == ["pending"]


def test_a_span_invalidates_only_the_raters_ratings_inside_it(make_images, moderator):
    images = make_images(4, dataset="laion")
    farmer, other = horde_rater("Farmer"), horde_rater()
    for image in images:
        rate(farmer, image, 5)
        rate(other, image, 8)
    old = Rating.objects.get(rater=farmer, image=images[0])
    Rating.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=3))
    before = [counters(image) for image in images]

    act = actions.invalidate_span(
        actor=moderator, rater=farmer, start=timezone.now() - timedelta(hours=1), end=None, reason="30 fives in 6 s"
    )

    assert sorted(act.subject_ids["ratings"]) == sorted(
        Rating.objects.filter(rater=farmer).exclude(pk=old.pk).values_list("pk", flat=True)
    )
    assert counters(images[0]) == (2, 13, 0, 0)
    assert [counters(image) for image in images[1:]] == [(1, 8, 0, 0)] * 3
    assert Rating.objects.filter(rater=other, counts=True).count() == 4

    actions.undo(actor=moderator, action=act)

    assert [counters(image) for image in images] == before
    assert not Rating.objects.filter(invalidated=True).exists()


def test_an_invalidation_cannot_be_undone_twice_nor_made_on_nothing(make_images, moderator):
    image = make_images(1)[0]
    rater = horde_rater()
    rate(rater, image, 6)
    act = actions.invalidate_rating(actor=moderator, rating=Rating.objects.get(rater=rater), reason="garbage")
    with pytest.raises(actions.ActionRefused, match="already invalidated"):
        actions.invalidate_rating(actor=moderator, rating=Rating.objects.get(rater=rater), reason="again")
    actions.undo(actor=moderator, action=act)
    with pytest.raises(actions.ActionRefused, match="already undone"):
        actions.undo(actor=moderator, action=act)
    with pytest.raises(actions.ActionRefused, match="reason"):
        actions.invalidate_rating(actor=moderator, rating=Rating.objects.get(rater=rater), reason="  ")
    assert counters(image) == (1, 6, 0, 0)
