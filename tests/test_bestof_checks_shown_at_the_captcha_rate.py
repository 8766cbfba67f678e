"""The best-of page shows check groups in its normal flow, at CAPTCHA_RATE: the next real group's images with a
best-of check ("THIS IS THE BEST IMAGE / PICK IT") at a random place, at most four images in all; a check group
drawn as the upcoming card is preloaded and then shown exactly as preloaded. The rating page never serves a
best-of check."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ratings_site.bestof.checks import next_cards_for
from ratings_site.bestof.models import MAX_GROUP_SIZE, PromptGroupImage
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    post_card,
    shown_group,
    shown_images,
    tokens,
)
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.usefixtures("media")


def _preloaded(page: str) -> list[str]:
    return re.findall(r'<link rel="preload" as="image" href="([^"]+)"', page)


def test_no_check_group_at_a_rate_of_zero_and_always_one_at_a_rate_of_one(login, settings):
    make_file_groups(4, size=4)
    checks = {image.pk for image in best_checks(3)}
    client = login(DEMO_KEY)

    settings.CAPTCHA_RATE = 0.0
    for _ in range(10):
        assert not checks & {image.pk for image in shown_images(client.get(best_url()).content.decode())}

    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    images = shown_images(page)
    group = shown_group(page)
    shown_checks = [image for image in images if image.pk in checks]
    assert len(shown_checks) == 1, "one best-of check among the group's images"
    assert 2 <= len(images) <= MAX_GROUP_SIZE
    members = set(PromptGroupImage.objects.filter(group=group).values_list("image_id", flat=True))
    assert {image.pk for image in images} - {shown_checks[0].pk} <= members, "the others are the real group's"
    assert len(members - {image.pk for image in images}) == 1, "a group of four drops one image for the check"


def test_about_one_draw_in_four_at_a_rate_of_a_quarter(db, settings):
    make_file_groups(3, size=3)
    best_checks(2)
    rater = Rater.objects.create(username="Picker#4321", horde_id=4321)
    dataset = Dataset.objects.get(slug="shots")
    settings.CAPTCHA_RATE = 0.25

    draws = [next_cards_for(rater, dataset=dataset) for _ in range(400)]

    with_check = sum(1 for cards in draws if any(card.check for card in cards))
    assert 60 <= with_check <= 140, with_check
    places = Counter(card.images.index(card.check) for cards in draws for card in cards if card.check)
    assert set(places) == {0, 1, 2, 3}, "the check goes anywhere among the images"


def test_a_check_group_drawn_as_the_upcoming_card_is_preloaded_and_shown_as_preloaded(login, settings):
    make_file_groups(4, size=3)
    checks = {image.pk for image in best_checks(2)}
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 0.0
    first = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 1.0

    # The card preloaded by the first comes next; the draw makes the one after it a check group, preloaded.
    second = post_card(client, first, "pick", winner=str(shown_images(first)[0].public_id)).content.decode()
    assert not checks & {image.pk for image in shown_images(second)}
    preloaded = _preloaded(second)
    assert any(src == image.display_src for src in preloaded for image in Image.objects.filter(pk__in=checks))

    third = post_card(client, second, "pick", winner="none").content.decode()

    assert [image.display_src for image in shown_images(third)] == preloaded
    assert checks & {image.pk for image in shown_images(third)}
    assert tokens(third)["card"]


def test_the_rating_page_never_serves_a_best_of_check(login, settings):
    make_file_groups(2, size=2)
    checks = {str(image.public_id) for image in best_checks(2)}
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 1.0
    client.get(best_url())  # a check group served on the best-of page: pending there, not on the rating page

    for _ in range(5):
        page = client.get("/rate/shots/").content.decode()
        shown = re.search(r'data-testid="image" data-image-id="([0-9a-f-]+)"', page).group(1)
        assert shown not in checks
