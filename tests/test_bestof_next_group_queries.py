"""The next prompt group costs a fixed number of queries, however many groups, images and picks exist: two for the
selector (the top of the queue index, then those groups' images), and a bounded number for the page and a pick."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ratings_site.bestof.models import BestPick, PromptGroup
from ratings_site.bestof.selectors import next_groups_for
from ratings_site.datasets.models import Dataset
from ratings_site.raters.models import Rater
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

# Session, rater, dataset, the rater's pending check group (bestof.checks), the queue and its images, groups left
# (the GET); the pick adds the group's images, the rater's check groups of that group, the rater's lock, the pick's
# checks and writes, the ledger line, the flood count, savepoints and the next card.
PAGE_MAX = 9
PICK_HTMX_MAX = 24


def test_next_groups_for_takes_two_queries(db, django_assert_num_queries):
    make_prompt_groups(30, size=4)
    dataset = Dataset.objects.get(slug="best-set")
    rater = Rater.objects.create(username="Picker#1", horde_id=91)
    seen = PromptGroup.objects.order_by("-priority", "shuffle")[:10]
    BestPick.objects.bulk_create(BestPick(rater=rater, group=group) for group in seen)

    with django_assert_num_queries(2):
        groups = next_groups_for(rater, dataset=dataset)

    assert len(groups) == 2 and all(len(group.images) == 4 for group in groups)


def _count(assert_max_num_queries, bound: int, request: Callable) -> int:
    with assert_max_num_queries(bound) as captured:
        response = request()
    assert response.status_code == 200, response.status_code
    return len(captured)


def _measure(client, assert_max_num_queries, group) -> dict[str, int]:
    token = csrf_token(client)
    return {
        "GET": _count(assert_max_num_queries, PAGE_MAX, lambda: client.get("/rate/best-set/best/")),
        "POST pick (htmx)": _count(
            assert_max_num_queries,
            PICK_HTMX_MAX,
            lambda: client.post(
                f"/rate/best-set/best/{group.group.pk}/pick/",
                {"winner": str(group.images[0].public_id)},
                headers={"HX-Request": "true", "X-CSRFToken": token},
            ),
        ),
    }


@pytest.fixture(autouse=True)
def no_flood(settings):
    settings.RATINGS_PER_MINUTE_MAX = 1000
    settings.CAPTCHA_RATE = 0.0  # no check group drawn now and then (its draw is a query of its own)


def test_the_page_and_a_pick_do_not_grow_with_groups_and_picks(login, django_assert_max_num_queries):
    client = login(DEMO_KEY)
    login(SECOND_KEY)
    someone = Rater.objects.get(horde_id=1006)

    few = make_prompt_groups(3, size=3)
    small = _measure(client, django_assert_max_num_queries, few[0])

    many = make_prompt_groups(40, size=4)
    BestPick.objects.bulk_create(BestPick(rater=someone, group=group.group) for group in many[:30])
    large = _measure(client, django_assert_max_num_queries, many[35])

    assert small == large, f"with 3 groups: {small}; with 43 groups and 30 picks: {large}"
