"""An image's tag counts (Image.tag_counts) count only the raters whose ratings count: a banned rater's tags leave
the counts of every image they tagged, and the unban brings them back, recounted from the tags, never by adding and
subtracting. The same when the Horde flags and unflags a rater (at their login). Their tags themselves are kept."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ratings_site.datasets.models import Image
from ratings_site.demo.standin import horde_user
from ratings_site.moderation import actions
from ratings_site.raters.models import Rater
from ratings_site.ratings import tags
from ratings_site.ratings.models import RaterTag
from tests.conftest import DEMO_KEY, SECOND_KEY

pytestmark = pytest.mark.usefixtures("no_captchas")


def counts(*images: Image) -> list[dict]:
    return [Image.objects.get(pk=image.pk).tag_counts for image in images]


@pytest.fixture
def two_raters(login) -> tuple[Rater, Rater]:
    login(DEMO_KEY), login(SECOND_KEY)  # made by the real login, as raters are
    return Rater.objects.get(horde_id=1001), Rater.objects.get(horde_id=1006)


def test_a_banned_raters_tags_leave_the_counts_and_the_unban_restores_them(make_images, two_raters) -> None:
    alice, bob = two_raters
    first, second = make_images(2)
    tags.set_tags(alice, first, ["watermark", "nsfw"])
    tags.set_tags(alice, second, ["text"])
    tags.set_tags(bob, first, ["nsfw"])
    assert counts(first, second) == [{"watermark": 1, "nsfw": 2}, {"text": 1}]

    actions.ban(actor=None, rater=alice, reason="Tags at random.")

    assert counts(first, second) == [{"nsfw": 1}, {}]
    assert RaterTag.objects.filter(rater=alice).count() == 3  # kept: an unban brings them back

    actions.unban(actor=None, rater=alice)

    assert counts(first, second) == [{"watermark": 1, "nsfw": 2}, {"text": 1}]


def test_tags_set_while_counts_are_off_come_in_exactly_once(make_images, two_raters) -> None:
    """Recounted, never added: stale or repeated recounts end on the same numbers."""
    alice, bob = two_raters
    (image,) = make_images(1)
    tags.set_tags(bob, image, ["broken"])
    actions.ban(actor=None, rater=bob, reason="Spam.")
    Image.objects.filter(pk=image.pk).update(tag_counts={"broken": 7, "text": 3})  # out of step, somehow

    tags.set_tags(alice, image, ["broken"])
    assert counts(image) == [{"broken": 1}]
    tags.recount_tag_counts([image.pk, image.pk])
    assert counts(image) == [{"broken": 1}]

    actions.unban(actor=None, rater=bob)
    assert counts(image) == [{"broken": 2}]


def test_the_hordes_flag_takes_a_raters_tags_out_of_the_counts_at_login(make_images, horde, login) -> None:
    key = "turning-key-7001"
    horde.add_user(key, horde_user("Turning#7001", 7001, flagged=False))
    login(key)
    (image,) = make_images(1)
    tags.set_tags(Rater.objects.get(horde_id=7001), image, ["not_artwork"])
    assert counts(image) == [{"not_artwork": 1}]

    horde.add_user(key, horde_user("Turning#7001", 7001, flagged=True))
    cache.clear()  # find_user's answer is cached for FIND_USER_CACHE_SECONDS
    login(key)  # the login takes the Horde's flag: standing changed
    assert counts(image) == [{}]

    horde.add_user(key, horde_user("Turning#7001", 7001, flagged=False))
    cache.clear()
    login(key)
    assert counts(image) == [{"not_artwork": 1}]


def test_a_flagged_rater_may_still_tag_but_is_not_counted(make_images, two_raters) -> None:
    alice, _ = two_raters
    (image,) = make_images(1)
    Rater.objects.filter(pk=alice.pk).update(flagged=True)
    alice.refresh_from_db()

    assert tags.set_tags(alice, image, ["text"]) == ["text"]

    assert RaterTag.objects.filter(rater=alice).count() == 1
    assert counts(image) == [{}]
