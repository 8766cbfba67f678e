"""Raters racing for a prompt group's last picks, and one rater's double submit racing itself: exactly
BEST_PICKS_PER_GROUP picks are stored (the others get GroupFull), one ledger line per stored pick, and a rater's
parallel duplicates store once.

Real concurrency needs PostgreSQL (SQLite serialises writers), so this runs only there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup
from ratings_site.bestof.services import GroupFull, record_pick
from ratings_site.kudos.models import KudosReward
from tests.bestof_helpers import fresh_raters, make_prompt_groups

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
]

RACERS = 8


def _race(attempts: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = attempts[index]()
        except Exception as exc:  # recorded and checked by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def test_many_raters_for_the_last_picks_exactly_the_wanted_picks_are_stored(settings):
    settings.BEST_PICKS_PER_GROUP = 3
    (only,) = make_prompt_groups(1, size=3)
    winner = str(only.images[0].public_id)
    raters = fresh_raters(RACERS, start=9300)

    outcomes = _race([lambda r=rater: record_pick(rater=r, group=only.group, winner=winner) for rater in raters])

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, GroupFull)]
    assert unexpected == []
    assert sum(isinstance(o, GroupFull) for o in outcomes) == RACERS - 3
    group = PromptGroup.objects.get(pk=only.group.pk)
    assert (group.picks_count, group.wants_picks) == (3, False)
    assert BestPick.objects.count() == 3
    assert ImagePreference.objects.count() == 3 * 2
    assert KudosReward.objects.filter(kind=KudosReward.Kind.BEST_PICK).count() == 3


def test_one_rater_submitting_in_parallel_stores_once(settings):
    (only,) = make_prompt_groups(1, size=4)
    (rater,) = fresh_raters(1, start=9400)
    winner = str(only.images[3].public_id)

    outcomes = _race([lambda: record_pick(rater=rater, group=only.group, winner=winner) for _ in range(RACERS)])

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(o.duplicate for o in outcomes) == [False] + [True] * (RACERS - 1)
    assert {o.position for o in outcomes} == {4}
    assert BestPick.objects.count() == 1
    assert ImagePreference.objects.count() == 3
    assert KudosReward.objects.count() == 1
    assert PromptGroup.objects.get(pk=only.group.pk).picks_count == 1
