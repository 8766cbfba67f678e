"""Hidden, broken or NSFW images are never shown on the best-of page: a group shows its other images, and a group
left with fewer than two is taken out of the queue when the queue meets it (and back by refresh_prompt_groups
once its images return)."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.priorities import apply_group_priorities
from ratings_site.bestof.selectors import next_group_for
from ratings_site.bestof.services import GroupUnavailable, InvalidPick, record_pick, refresh_prompt_groups
from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.services import refresh_queue, set_flags
from tests.bestof_helpers import fresh_raters, make_prompt_groups, make_prompt_images


def test_a_hidden_image_is_left_out_of_its_group_and_cannot_win(db):
    (only,) = make_prompt_groups(1, size=3)
    dataset = Dataset.objects.get(slug="best-set")
    hidden = only.images[1]
    set_flags(Image.objects.filter(pk=hidden.pk), hidden=True)
    (rater,) = fresh_raters(1)

    shown = next_group_for(rater, dataset=dataset)

    assert [image.pk for image in shown.images] == [only.images[0].pk, only.images[2].pk]
    with pytest.raises(InvalidPick):
        record_pick(rater=rater, group=only.group, winner=str(hidden.public_id))
    outcome = record_pick(rater=rater, group=only.group, winner=str(only.images[2].public_id))
    assert outcome.position == 2
    assert [(p.winner_id, p.loser_id) for p in outcome.group.preferences.all()] == [(only.images[2].pk, only.images[0].pk)]


@pytest.mark.parametrize("flag", ["hidden", "broken", "nsfw"])
def test_a_group_left_with_one_image_leaves_the_queue_and_comes_back(db, flag):
    taken_down, kept = make_prompt_groups(2, size=2, priority=0.0)
    # First in the queue: its images are (a group takes the highest queue priority of its images).
    refresh_queue(Image.objects.filter(pk__in=[image.pk for image in taken_down.images]))
    QueueEntry.objects.filter(image__in=taken_down.images).update(priority=1.0)
    apply_group_priorities()
    dataset = Dataset.objects.get(slug="best-set")
    set_flags(Image.objects.filter(pk=taken_down.images[0].pk), **{flag: True})
    (rater,) = fresh_raters(1)

    assert next_group_for(rater, dataset=dataset).group.pk == kept.group.pk
    assert not PromptGroup.objects.get(pk=taken_down.group.pk).wants_picks
    with pytest.raises(GroupUnavailable):
        record_pick(rater=rater, group=taken_down.group, winner=str(taken_down.images[1].public_id))

    set_flags(Image.objects.filter(pk=taken_down.images[0].pk), **{flag: False})
    refresh_prompt_groups()
    assert PromptGroup.objects.get(pk=taken_down.group.pk).wants_picks
    assert next_group_for(rater, dataset=dataset).group.pk == taken_down.group.pk


def test_images_hidden_before_grouping_join_no_group(db):
    images = make_prompt_images(3, prompt="one red apple")
    make_prompt_images(1, prompt="one red apple", hidden=True)
    report = refresh_prompt_groups()
    assert report.images_grouped == 3
    assert {m.image_id for m in PromptGroup.objects.get().members.all()} == {image.pk for image in images}
