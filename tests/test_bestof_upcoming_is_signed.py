"""The best-of card's `upcoming` (the group it preloads, honoured as the next card) is a token signed for the rater,
not a bare group number: the page's own token brings its group next, while a bare number, another rater's token or
a forged one is ignored, so that `upcoming` cannot be used to ask the queue about a group."""

from __future__ import annotations

import re

import pytest
from django.core import signing

from ratings_site.bestof import cards
from ratings_site.raters.models import Rater
from tests.bestof_check_helpers import post_card, shown_group, shown_images, tokens
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, SECOND_KEY

pytestmark = pytest.mark.usefixtures("no_captchas")


def _setup(login):
    """Two groups at the top of the queue and one far below it, which comes next only when asked for."""
    top = make_prompt_groups(2, size=2, priority=10.0)
    (low,) = make_prompt_groups(1, size=2, priority=-10.0)
    client = login(DEMO_KEY)
    page = client.get("/rate/best-set/best/").content.decode()
    return client, page, top, low


def test_the_upcoming_field_is_a_signed_token_for_the_rater(login):
    client, page, top, _ = _setup(login)
    rater = Rater.objects.get(horde_id=1001)

    value = tokens(page)["upcoming"]

    assert not re.fullmatch(r"\d*", value), "not a bare group number"
    upcoming = cards.upcoming_from(value, rater)
    assert upcoming is not None and upcoming.group_id in {shown.group.pk for shown in top} - {shown_group(page).pk}
    assert cards.upcoming_from(value, Rater.objects.create(username="Picker#88", horde_id=88)) is None


@pytest.mark.parametrize("kind", ["bare number", "another rater's token", "forged token"])
def test_only_the_pages_own_upcoming_token_brings_its_group_next(login, kind):
    client, page, top, low = _setup(login)
    login(SECOND_KEY)
    someone = Rater.objects.get(horde_id=1006)
    values = {
        "bare number": str(low.group.pk),
        "another rater's token": cards.upcoming_token(someone, low),
        "forged token": signing.dumps(
            {"r": Rater.objects.get(horde_id=1001).pk, "g": low.group.pk, "i": [i.public_id.hex for i in low.images]},
            key="not-the-sites-secret-key",
            salt="bestof.cards.upcoming",
        ),
    }
    winner = str(shown_images(page)[0].public_id)

    ignored = post_card(client, page, "pick", winner=winner, upcoming=values[kind]).content.decode()

    assert shown_group(ignored) != low.group, f"a {kind} is ignored: the top of the queue comes next"
    honoured = post_card(
        client, ignored, "pick", winner="none", upcoming=cards.upcoming_token(Rater.objects.get(horde_id=1001), low)
    ).content.decode()
    assert shown_group(honoured) == low.group, "the rater's own signed token is honoured"
