"""A prompt group wants BEST_PICKS_PER_GROUP picks: the pick that fills it takes it out of the queue, and a pick
of a full group is refused (403), storing nothing."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup
from ratings_site.bestof.selectors import next_group_for
from ratings_site.bestof.services import GroupFull, record_pick, refresh_prompt_groups
from ratings_site.datasets.models import Dataset
from tests.bestof_helpers import fresh_raters, make_prompt_groups


def test_the_group_leaves_the_queue_with_its_last_wanted_pick(db, settings):
    settings.BEST_PICKS_PER_GROUP = 3
    (only,) = make_prompt_groups(1, size=3)
    dataset = Dataset.objects.get(slug="best-set")
    raters = fresh_raters(4)

    for n, rater in enumerate(raters[:3]):
        assert next_group_for(rater, dataset=dataset).group.pk == only.group.pk
        record_pick(rater=rater, group=only.group, winner=str(only.images[n].public_id))

    group = PromptGroup.objects.get(pk=only.group.pk)
    assert (group.picks_count, group.wants_picks) == (3, False)
    assert next_group_for(raters[3], dataset=dataset) is None

    with pytest.raises(GroupFull) as refused:
        record_pick(rater=raters[3], group=only.group, winner=str(only.images[0].public_id))
    assert refused.value.status == 403
    assert BestPick.objects.count() == 3
    assert ImagePreference.objects.count() == 3 * 2
    assert PromptGroup.objects.get(pk=only.group.pk).picks_count == 3


def test_raising_the_wanted_picks_brings_the_group_back_after_a_refresh(db, settings):
    settings.BEST_PICKS_PER_GROUP = 1
    (only,) = make_prompt_groups(1, size=2)
    dataset = Dataset.objects.get(slug="best-set")
    first, second = fresh_raters(2)
    record_pick(rater=first, group=only.group, winner=str(only.images[0].public_id))
    assert next_group_for(second, dataset=dataset) is None

    settings.BEST_PICKS_PER_GROUP = 2
    report = refresh_prompt_groups()

    assert report.opened == 1
    assert next_group_for(second, dataset=dataset).group.pk == only.group.pk
