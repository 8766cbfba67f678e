"""A check group, once shown, is recorded at once and shown again first, the same images in the same order, until
it is answered: a reload, another tab or the embedded page is no way past it, nor is a pick or skip sent without
its card (the server knows which card it was), nor a forged card claiming a check group was a plain one or the
other way round."""

from __future__ import annotations

import pytest
from django.core import signing

from ratings_site.bestof.models import BestPick, CheckGroup, GroupSkip
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
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
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = pytest.mark.usefixtures("media")


def _served_check_group(client, settings) -> str:
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 0.0
    return page


def test_a_reload_or_another_tab_shows_the_same_check_group_again(login, settings):
    make_file_groups(5, size=4)
    checks = best_checks(2)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    page = _served_check_group(client, settings)
    (check,) = [image for image in shown_images(page) if image in checks]
    assert ServedImage.objects.filter(rater=rater, image=check, is_check=True).exists(), "recorded at once"
    assert CheckGroup.objects.filter(rater=rater, check_image=check, passed=None).exists()

    other_tab = login(DEMO_KEY)
    for again in (
        client.get(best_url()),
        other_tab.get(best_url()),
        client.get(best_url(), headers={"HX-Request": "true"}),
    ):
        assert shown_group(again.content.decode()) == shown_group(page)
        assert shown_images(again.content.decode()) == shown_images(page)

    # Answered, it is gone: the next card is another one.
    post_card(client, page, "pick", winner=str(check.public_id))
    assert check not in shown_images(client.get(best_url()).content.decode())


def test_a_pick_without_its_card_answers_the_check_group(login, settings):
    make_file_groups(3, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    page = _served_check_group(client, settings)
    group = shown_group(page)

    # No card token (a page from before the tokens, or a script): the server still knows it was the check group,
    # so naming the check is no "not one of this group's images" oracle, and any other answer is a miss.
    response = client.post(
        f"/rate/shots/best/{group.pk}/pick/",
        {"winner": str(check.public_id)},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == 200
    assert "Saved: image" in response.content.decode()
    assert CheckGroup.objects.get().passed is True
    assert not BestPick.objects.exists()


def test_a_skip_without_its_card_is_a_miss_not_a_skip_of_the_group(login, settings):
    make_file_groups(3, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    page = _served_check_group(client, settings)
    group = shown_group(page)

    client.post(f"/rate/shots/best/{group.pk}/skip/", {"csrfmiddlewaretoken": csrf_token(client)})

    assert not GroupSkip.objects.exists()
    assert CaptchaAnswer.objects.get().passed is False


def _forged(payload: dict) -> str:
    """A card token made by someone without the site's key."""
    return signing.dumps(payload, key="not-the-sites-secret-key", salt="bestof.cards.card")


def test_a_forged_card_can_claim_neither_a_plain_group_nor_a_check_group(login, settings):
    make_file_groups(3, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    page = _served_check_group(client, settings)
    real = [image for image in shown_images(page) if image != check]
    card = signing.loads(tokens(page)["card"], salt="bestof.cards.card")

    # "It was a plain group": the check group's card without the check. Judged as the check group still: a miss.
    plain_claim = _forged({**card, "i": [image.public_id.hex for image in real]})
    response = post_card(client, page, "pick", winner=str(real[0].public_id), card=plain_claim)
    assert response.status_code == 200
    assert CheckGroup.objects.get().passed is False and CaptchaAnswer.objects.get().passed is False
    assert not BestPick.objects.exists()

    # "It was a check group": another group's card with the check in it. Judged as that plain group: refused.
    other = next(shown for shown in make_file_groups(1, size=2))
    check_claim = _forged(
        {
            "r": rater.pk,
            "g": other.group.pk,
            "i": [check.public_id.hex, *(i.public_id.hex for i in other.images)],
            "t": card["t"],
        }
    )
    response = client.post(
        f"/rate/shots/best/{other.group.pk}/pick/",
        {"winner": str(check.public_id), "card": check_claim},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert "not one of this group" in response.content.decode()
    assert CaptchaAnswer.objects.count() == 1 and CheckGroup.objects.count() == 1
