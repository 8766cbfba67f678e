"""A group left with fewer than two images for a rater who hides NSFW images is passed over for them only: the queue
finds them the next group with two images they may see however many such groups are above it (not within a bounded
number of rounds of QUEUE_TOP_K), their "groups left" leaves those out, and a pick of it is refused as of a group no
longer rated; the group stays in the queue (`wants_picks`) and everyone else is shown and may pick it."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.selectors import groups_left_for, next_group_for, next_groups_for
from ratings_site.bestof.services import GroupUnavailable, record_pick
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from tests.bestof_helpers import fresh_raters, make_prompt_groups
from tests.conftest import DEMO_KEY


def test_the_hider_gets_the_next_suitable_group_and_the_short_ones_stay_for_others(db, settings):
    settings.QUEUE_TOP_K = 2  # ten short groups on top: more than the queue's rounds would walk past (3 x 2)
    short = make_prompt_groups(10, size=2, priority=5.0)
    (plain,) = make_prompt_groups(1, size=2, priority=0.0)
    Image.objects.filter(pk__in=[group.images[0].pk for group in short]).update(tag_counts={"nsfw": 3})
    dataset = Dataset.objects.get(slug="best-set")
    hider, other = fresh_raters(2)
    Rater.objects.filter(pk=hider.pk).update(hide_nsfw=True)
    hider.refresh_from_db()

    assert [shown.group.pk for shown in next_groups_for(hider, dataset=dataset)] == [plain.group.pk]
    assert groups_left_for(hider, dataset=dataset) == 1
    assert PromptGroup.objects.filter(wants_picks=True).count() == 11

    theirs = next_group_for(other, dataset=dataset)
    assert theirs.group.pk in {group.group.pk for group in short} and len(theirs.images) == 2
    assert groups_left_for(other, dataset=dataset) == 11

    with pytest.raises(GroupUnavailable):
        record_pick(rater=hider, group=short[0].group, winner=str(short[0].images[1].public_id))
    record_pick(rater=other, group=short[0].group, winner=str(short[0].images[0].public_id))
    assert PromptGroup.objects.get(pk=short[0].group.pk).picks_count == 1


def test_the_page_tells_a_hider_only_of_the_groups_they_will_be_shown(login, settings):
    settings.CAPTCHA_RATE = 0.0
    short = make_prompt_groups(3, size=2, priority=5.0)
    (plain,) = make_prompt_groups(1, size=2, priority=0.0)
    Image.objects.filter(pk__in=[group.images[0].pk for group in short]).update(source={"punsafe": 0.5})
    client = login(DEMO_KEY)
    Rater.objects.filter(horde_id=1001).update(hide_nsfw=True)  # DEMO_KEY's rater

    page = client.get("/rate/best-set/best/").content.decode()

    assert f'data-group-id="{plain.group.pk}"' in page
    assert "1 group left for you" in page
