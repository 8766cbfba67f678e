"""Among prompt groups of equal priority the choice is random, so concurrent raters spread over them; a clearly
higher priority still comes first."""

from __future__ import annotations

from collections import Counter

from ratings_site.bestof.selectors import next_group_for, next_groups_for
from ratings_site.datasets.models import Dataset
from tests.bestof_helpers import fresh_raters, make_prompt_groups


def test_fresh_raters_start_on_many_different_groups(db):
    groups = make_prompt_groups(20, size=2, priority=1.0)
    dataset = Dataset.objects.get(slug="best-set")

    firsts = Counter(next_group_for(rater, dataset=dataset).group.pk for rater in fresh_raters(50))

    assert set(firsts) <= {group.group.pk for group in groups}
    # All 50 on one group (or a handful) would make them race for the same picks.
    assert len(firsts) > 5, firsts
    assert max(firsts.values()) < 25, firsts


def test_a_clearly_higher_priority_comes_first(db, settings):
    settings.QUEUE_PRIORITY_TOLERANCE = 0.01
    top = make_prompt_groups(3, size=2, priority=1.0)
    make_prompt_groups(10, size=2, priority=0.5)
    dataset = Dataset.objects.get(slug="best-set")

    firsts = Counter(next_group_for(rater, dataset=dataset).group.pk for rater in fresh_raters(30))

    assert set(firsts) <= {group.group.pk for group in top}
    assert len(firsts) > 1, firsts


def test_the_preloaded_group_comes_next_while_it_is_near_the_top(db):
    groups = make_prompt_groups(10, size=2, priority=1.0)
    dataset = Dataset.objects.get(slug="best-set")
    (rater,) = fresh_raters(1, start=7900)

    for group in groups[:5]:
        assert next_groups_for(rater, dataset=dataset, prefer=group.group.pk)[0].group.pk == group.group.pk
