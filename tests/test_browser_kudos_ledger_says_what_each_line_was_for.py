"""In a real browser, /kudos/ shows a ledger of mixed lines (a dataset rating, a best-of pick, a generation set
the Horde paid) readably: each says what it was for, the set links to its page, the Horde's payment reads
"paid by the Horde", and on a phone nothing needs a horizontal scroll."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ratings_site.generations.models import GenerationSet, Source
from ratings_site.kudos.services import record_best_pick_reward, record_horde_paid
from ratings_site.raters.models import Rater
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    DESKTOP,
    PHONE,
    browser,
    log_in,
    make_picture_images,
    open_page,
)
from tests.helpers import rate_via_page


def _seed_ledger(login, images) -> str:
    """DemoRater#1001 rated an image, picked a best and had a generation set paid by the Horde: its request id."""
    rate_via_page(login(), images[0])
    rater = Rater.objects.get(horde_id=1001)
    record_best_pick_reward(rater=rater, subject="group-" + uuid.uuid4().hex)
    generation_set = GenerationSet.objects.create(request_id=str(uuid.uuid4()), rater=rater, source=Source.PAGE)
    record_horde_paid(rater=rater, generation_set=generation_set, amount=12)
    return generation_set.request_id


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_ledger_reads_right(open_page: Callable[..., Page], make_picture_images, login, viewport) -> None:
    images = make_picture_images(2)
    request_id = _seed_ledger(login, images)
    page = open_page(viewport=viewport)
    log_in(page)

    page.goto("/kudos/")

    rows = page.locator("table.ledger tbody tr")
    expect(rows).to_have_count(3)
    generations = rows.filter(has_text="Your generations")
    expect(generations).to_contain_text(request_id)
    expect(generations.get_by_role("link", name=request_id)).to_have_attribute("href", f"/generations/{request_id}/")
    expect(generations.locator(".status")).to_have_text("paid by the Horde")
    expect(rows.filter(has_text="Best of a prompt group").locator(".status")).to_have_text("pending")
    expect(rows.filter(has_text="Rating a dataset image").locator(".status")).to_have_text("pending")
    expect(page.get_by_test_id("paid")).to_have_text("12")
    expect(page.get_by_test_id("paid-by-the-horde")).to_have_text("12 of them paid by the Horde, for rating your generations")
    expect(page.get_by_test_id("pending")).to_have_text("10")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
