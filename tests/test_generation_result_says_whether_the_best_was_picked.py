"""After a set is sent, its page says why the best is the best: the rater's own pick, or the rule that
inferred it from the ratings, even when the pick and the inferred image are the same one."""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, submit


@pytest.mark.django_db(transaction=True)
def test_a_pick_that_the_ratings_would_also_infer_is_shown_as_the_raters_pick(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    page = submit(client, DEMO_SET_FOUR, {ids[0]: 5, ids[2]: 9}, best=ids[2], follow=True).content.decode()

    assert "Best: image 3. Your pick." in page
    assert GenerationSet.objects.get().best_picked


@pytest.mark.django_db(transaction=True)
def test_an_inferred_best_is_explained_by_the_rule(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    page = submit(client, DEMO_SET_FOUR, {ids[0]: 5, ids[2]: 9}, follow=True).content.decode()

    assert "Best: image 3. It holds the top rating alone, so it counts as the best." in page
    assert not GenerationSet.objects.get().best_picked
