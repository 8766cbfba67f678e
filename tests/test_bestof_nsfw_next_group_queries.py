"""A rater who hides NSFW images costs the best-of queue the same number of queries as anyone: two for the selector
(the walk of the queue, which counts each group's images they may see, then those groups' images), and as many for
the page and a pick as a rater without the preference, however many groups are NSFW for them."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import BestPick, PromptGroup
from ratings_site.bestof.selectors import next_groups_for
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from tests.bestof_helpers import fresh_raters, make_prompt_groups
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.test_bestof_next_group_queries import _measure


@pytest.fixture(autouse=True)
def no_flood(settings):
    settings.RATINGS_PER_MINUTE_MAX = 1000
    settings.CAPTCHA_RATE = 0.0


def _tag_nsfw(images: list[Image]) -> None:
    Image.objects.filter(pk__in=[image.pk for image in images]).update(tag_counts={"nsfw": 2})


def test_next_groups_for_a_hider_takes_two_queries(db, django_assert_num_queries):
    made = make_prompt_groups(30, size=4)
    _tag_nsfw([image for group in made[::2] for image in group.images[:3]])  # every other group: short for them
    _tag_nsfw([group.images[0] for group in made[1::2]])  # the others: one image less
    dataset = Dataset.objects.get(slug="best-set")
    (hider,) = fresh_raters(1)
    Rater.objects.filter(pk=hider.pk).update(hide_nsfw=True)
    hider.refresh_from_db()
    seen = PromptGroup.objects.order_by("-priority", "shuffle")[:10]
    BestPick.objects.bulk_create(BestPick(rater=hider, group=group) for group in seen)

    with django_assert_num_queries(2):
        groups = next_groups_for(hider, dataset=dataset)

    assert len(groups) == 2 and all(len(group.images) == 3 for group in groups)
    assert not {image.pk for group in groups for image in group.images} & set(
        Image.objects.filter(tag_counts__nsfw=2).values_list("pk", flat=True)
    )


def test_the_page_and_a_pick_cost_a_hider_what_they_cost_anyone(login, django_assert_max_num_queries):
    made = make_prompt_groups(20, size=4)
    _tag_nsfw([image for group in made[::2] for image in group.images[:3]])
    _tag_nsfw([group.images[0] for group in made[1::2]])
    plain_client, hider_client = login(DEMO_KEY), login(SECOND_KEY)
    Rater.objects.filter(horde_id=1006).update(hide_nsfw=True)
    mine, theirs = (group for group in made[1::2][:2])
    mine = type(mine)(group=mine.group, images=mine.images[1:])  # what the hider is shown of it

    assert _measure(hider_client, django_assert_max_num_queries, mine) == _measure(
        plain_client, django_assert_max_num_queries, theirs
    )
