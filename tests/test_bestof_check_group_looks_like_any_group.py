"""Nothing on the best-of page tells a check group from a plain one before it is answered: the card's markup is the
same once each image's own values (ids, addresses) and the group's (number, prompt) are set aside; the check's file
is named, sized and served as the group's images are; and the signed tokens carry the same fields, only what the
page shows anyway."""

from __future__ import annotations

import json
import re

import pytest
from django.core import signing
from django.utils.html import escape

from ratings_site.bestof.models import PromptGroup
from ratings_site.datasets.models import Image
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    shown_group,
    shown_images,
    tokens,
)
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.usefixtures("media")


def _preloaded(page: str) -> list[Image]:
    sources = re.findall(r'<link rel="preload" as="image" href="([^"]+)"', page)
    by_source = {image.display_src: image for image in Image.objects.all()}
    return [by_source[source] for source in sources]


def _card_shape(page: str) -> str:
    """The card's markup with the images' own values, the group's, the tokens and the CSRF token set aside."""
    card = page[page.index('<section id="best-card"') : page.index("</section>", page.index('<section id="best-card"'))]
    group = shown_group(page)
    for n, image in enumerate([*shown_images(page), *_preloaded(page)]):
        for value in (str(image.public_id), image.display_src, image.src):
            card = card.replace(value, f"{{image{n}}}")
    card = card.replace(escape(group.prompt), "{prompt}")
    card = card.replace(f'data-group-id="{group.pk}"', 'data-group-id="{group}"').replace(
        f"/best/{group.pk}/", "/best/{group}/"
    )
    card = re.sub(r'name="(upcoming|card)" value="[^"]+"', r'name="\1" value="{signed}"', card)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", card)


def _payload(token: str) -> dict:
    """What anyone can read in a signed token (a signature is not encryption)."""
    return json.loads(signing.b64_decode(token.split(":")[0].encode()))


def test_the_card_of_a_check_group_is_the_card_of_any_group(login, settings):
    make_file_groups(4, size=4)
    checks = best_checks(2)
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 0.0
    plain = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 1.0
    checked = client.get(best_url()).content.decode()

    (check,) = [image for image in shown_images(checked) if image in checks]
    assert not set(shown_images(plain)) & set(checks)
    assert len(shown_images(plain)) == len(shown_images(checked)) == 4
    assert _card_shape(checked) == _card_shape(plain)
    for page in (plain, checked):
        assert "captcha" not in page.lower() and "pick it" not in page.lower()
        assert re.search(r"\d+ groups? left for you in Shots", page)

    # Named, sized and served as the group's own images are.
    others = [image for image in shown_images(checked) if image != check]
    shape = {re.sub(r"[0-9]", "0", image.display_src) for image in others}
    assert shape == {"/renditions/display/shots/shot-000.png.webp"}
    assert re.sub(r"[0-9]", "0", check.display_src) in shape
    assert re.search(rf'data-image-id="{check.public_id}" width="768" height="768"', checked)
    served = client.get(check.display_src)
    assert served.status_code == 200 and served["Content-Type"] == client.get(others[0].display_src)["Content-Type"]

    # The tokens hold the same fields for both, and only what the page shows: the group's number and the images.
    for name in ("card", "upcoming"):
        plain_payload, checked_payload = _payload(tokens(plain)[name]), _payload(tokens(checked)[name])
        assert set(plain_payload) == set(checked_payload)
        assert len(plain_payload["i"]) == len(checked_payload["i"]) == 4
    card = _payload(tokens(checked)["card"])
    assert card["g"] == shown_group(checked).pk
    assert card["i"] == [image.public_id.hex for image in shown_images(checked)]
    assert PromptGroup.objects.filter(pk=card["g"]).exists()
