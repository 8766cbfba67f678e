"""A rater the AI Horde flagged earns no kudos (kudos.services.kudos_for_rating), and is told so plainly, as the
anonymous key is: a "flagged · no kudos" mark beside their name that says why and what to do, a "Saved" line that
says no kudos were earned and why, and a kudos page that says the account earns none while it is flagged instead
of inviting them to "rate some images to earn kudos". A rater who earns kudos sees none of it."""

from __future__ import annotations

import re

import pytest

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import rate_via_page

FLAGGED_KEY = "demo-flagged-0005"

pytestmark = pytest.mark.usefixtures("no_captchas")


def _badge(html: str) -> str:
    found = re.search(r'<span class="badge" data-testid="no-kudos-badge" title="([^"]*)">([^<]*)</span>', html)
    return f"{found.group(2)} | {found.group(1)}" if found else ""


def test_the_header_marks_a_flagged_rater_and_says_why(login, make_images):
    client = login(FLAGGED_KEY)
    make_images(1)

    badge = _badge(client.get("/rate/").content.decode())

    assert badge.startswith("flagged · no kudos | The AI Horde has flagged your account")
    assert "earn no kudos" in badge and "log in again" in badge


def test_a_flagged_raters_save_says_no_kudos_were_earned_and_why(login, make_images):
    client = login(FLAGGED_KEY)
    first, second = make_images(2)

    by_htmx = client.post(
        f"/images/{first.public_id}/rate/",
        {"rating": "7"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    ).content.decode()
    rate_via_page(client, second, rating=4)  # without JavaScript: the form, then the page it leads back to
    by_form = client.get("/rate/").content.decode()

    assert re.search(r"Saved: 7 · Good</span> · <span [^>]*>no kudos: account flagged</span>", by_htmx)
    assert re.search(r"Saved: 4 · Poor\.</span> <span [^>]*>No kudos: account flagged\.</span>", by_form)
    assert not KudosReward.objects.exists()


def test_the_kudos_page_says_plainly_that_a_flagged_account_earns_none(login, make_images):
    client = login(FLAGGED_KEY)
    rate_via_page(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert "This account earns no kudos while it is flagged." in html
    assert "No rewards: this account earns none while it is flagged." in html
    assert "to earn kudos" not in html
    assert "flagged · no kudos" in html


def test_a_rater_who_earns_kudos_is_told_none_of_it(login, make_images):
    client = login(DEMO_KEY)
    first, _ = make_images(2)

    saved = client.post(
        f"/images/{first.public_id}/rate/",
        {"rating": "7"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    ).content.decode()
    kudos = client.get("/kudos/").content.decode()

    assert "Saved: 7 · Good · +5 kudos" in saved
    for html in (saved, kudos):
        assert "no kudos" not in html.lower()
        assert "flagged" not in html
