"""A rater who hides NSFW images (Rater.hide_nsfw) is not shown, in a best-of group, the images the image queue keeps
from them (datasets.services.queue_nsfw_condition: tagged NSFW by NSFW_HIDE_TAGS raters, or a LAION punsafe of
NSFW_HIDE_PUNSAFE or more), on the page as by the selector: the group shows them its other images, and a pick naming
one is refused as a winner that was not shown; a check group (bestof.checks) shows them its real images the same
way, also when shown again after one was tagged. Raters without the preference see and may pick it as before."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import BestPick
from ratings_site.bestof.selectors import next_group_for
from ratings_site.bestof.services import InvalidPick, record_pick
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    post_card,
    shown_images,
)
from tests.bestof_helpers import fresh_raters, make_prompt_groups
from tests.conftest import DEMO_KEY

DEMO_HORDE_ID = 1001  # the stand-in Horde's id for DEMO_KEY
NOT_SHOWN = "That is not one of this group's images: pick one of those shown."


def _make_nsfw(image: Image, how: str) -> None:
    """What ratings.tags keeps when two raters tag it NSFW, or what the LAION importer stores from its parquet."""
    fields = {"tag_counts": {"nsfw": 2}} if how == "tagged" else {"source": {"punsafe": 0.9}}
    Image.objects.filter(pk=image.pk).update(**fields)


@pytest.mark.parametrize("how", ["tagged", "punsafe"])
def test_the_group_shows_a_hider_its_other_images_and_refuses_the_nsfw_one_as_winner(db, how):
    (only,) = make_prompt_groups(1, size=3)
    first, nsfw, last = only.images
    _make_nsfw(nsfw, how)
    dataset = Dataset.objects.get(slug="best-set")
    hider, other = fresh_raters(2)
    Rater.objects.filter(pk=hider.pk).update(hide_nsfw=True)
    hider.refresh_from_db()

    assert next_group_for(hider, dataset=dataset).images == [first, last]
    assert next_group_for(other, dataset=dataset).images == [first, nsfw, last]

    with pytest.raises(InvalidPick) as refused:
        record_pick(rater=hider, group=only.group, winner=str(nsfw.public_id))
    assert refused.value.message == NOT_SHOWN
    assert not BestPick.objects.exists()

    picked = record_pick(rater=hider, group=only.group, winner=str(last.public_id))
    assert picked.position == 2
    assert {(p.winner_id, p.loser_id) for p in picked.group.preferences.filter(rater=hider)} == {(last.pk, first.pk)}

    theirs = record_pick(rater=other, group=only.group, winner=str(nsfw.public_id))
    assert theirs.position == 2
    assert {p.loser_id for p in theirs.group.preferences.filter(rater=other)} == {first.pk, last.pk}


def test_the_page_leaves_it_out_and_a_pick_of_it_is_refused_with_400(login, settings):
    settings.CAPTCHA_RATE = 0.0
    (only,) = make_prompt_groups(1, size=3)
    first, nsfw, last = only.images
    _make_nsfw(nsfw, "tagged")
    client = login(DEMO_KEY)
    Rater.objects.filter(horde_id=DEMO_HORDE_ID).update(hide_nsfw=True)

    page = client.get("/rate/best-set/best/").content.decode()
    assert shown_images(page) == [first, last]

    response = post_card(client, page, "pick", winner=str(nsfw.public_id))
    assert response.status_code == 400
    body = response.content.decode()
    assert NOT_SHOWN.replace("'", "&#x27;") in body
    assert shown_images(body) == [first, last]  # the same card again
    assert not BestPick.objects.exists()


@pytest.mark.usefixtures("media")
def test_a_check_group_leaves_it_out_too_also_when_shown_again(login, settings):
    made = make_file_groups(3, size=4)
    _make_nsfw(made[0].images[0], "tagged")
    _make_nsfw(made[1].images[0], "tagged")
    _make_nsfw(made[2].images[0], "tagged")
    checks = best_checks(2)
    client = login(DEMO_KEY)
    Rater.objects.filter(horde_id=DEMO_HORDE_ID).update(hide_nsfw=True)
    nsfw = set(Image.objects.filter(tag_counts__nsfw=2))

    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 0.0
    served = shown_images(page)
    (check,) = [image for image in served if image in checks]
    assert len(served) == 4 and not nsfw & set(served)

    tagged_since = next(image for image in served if image != check)
    _make_nsfw(tagged_since, "tagged")
    again = shown_images(client.get(best_url()).content.decode())
    assert again == [image for image in served if image != tagged_since]
