"""A rater never sees a prompt group twice: once picked (a winner or "no clear winner") or skipped, it is gone
from their queue, and the queue ends when they have seen every group."""

from __future__ import annotations

from ratings_site.bestof.selectors import next_group_for, next_groups_for
from ratings_site.bestof.services import NO_CLEAR_WINNER, record_pick, skip_group
from ratings_site.datasets.models import Dataset
from tests.bestof_helpers import fresh_raters, make_prompt_groups


def test_each_group_is_shown_once_then_the_queue_is_empty(db, settings):
    settings.BEST_PICKS_PER_GROUP = 100
    groups = make_prompt_groups(9, size=3)
    dataset = Dataset.objects.get(slug="best-set")
    (rater,) = fresh_raters(1)

    seen = []
    for turn in range(9):
        shown = next_group_for(rater, dataset=dataset)
        assert shown is not None, f"the queue ran dry after {turn} groups"
        assert shown.group.pk not in seen, f"group {shown.group.pk} shown twice"
        seen.append(shown.group.pk)
        if turn % 3 == 0:
            record_pick(rater=rater, group=shown.group, winner=str(shown.images[1].public_id))
        elif turn % 3 == 1:
            record_pick(rater=rater, group=shown.group, winner=NO_CLEAR_WINNER)
        else:
            skip_group(rater=rater, group=shown.group)

    assert sorted(seen) == sorted(group.group.pk for group in groups)
    assert next_group_for(rater, dataset=dataset) is None
    assert next_groups_for(rater, dataset=dataset) == []


def test_another_rater_still_gets_the_groups_the_first_one_picked(db, settings):
    settings.BEST_PICKS_PER_GROUP = 3
    (only,) = make_prompt_groups(1, size=2)
    dataset = Dataset.objects.get(slug="best-set")
    first, second = fresh_raters(2)

    record_pick(rater=first, group=only.group, winner=str(only.images[0].public_id))

    assert next_group_for(first, dataset=dataset) is None
    assert next_group_for(second, dataset=dataset).group.pk == only.group.pk
