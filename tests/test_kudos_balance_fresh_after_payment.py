"""/kudos/ never shows a Horde balance from before the rater's latest payment (the cached find_user answer is
asked again), and always says how old the balance it shows is."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from django.utils import timezone

from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

pytestmark = pytest.mark.django_db(transaction=True)


def _testid(html: str, name: str) -> str:
    return re.search(rf'data-testid="{name}">(.*?)</dd>', html, re.S).group(1)


def _find_user_calls(horde) -> int:
    return sum(1 for r in horde.requests if r["path"] == "/v2/find_user")


def test_the_balance_is_fresh_right_after_a_payment_without_clearing_the_cache(login, make_images, horde):
    client = login(DEMO_KEY)
    assert _testid(client.get("/kudos/").content.decode(), "balance") == "1,000"  # now in the cache
    for image in make_images(3):
        rate_via_page(client, image)

    run_due_payment()
    html = client.get("/kudos/").content.decode()

    assert re.findall(r'<span class="status (\w+)">', html) == ["paid"] * 3
    assert _testid(html, "balance") == "1,015"
    assert horde.balance("DemoRater#1001") == 1015


def test_without_a_new_payment_the_cached_balance_is_used(login, make_images, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    run_due_payment()
    client.get("/kudos/")  # asks the Horde again: a payment came after the login's answer
    calls = _find_user_calls(horde)

    for _ in range(3):
        assert _testid(client.get("/kudos/").content.decode(), "balance") == "1,005"

    assert _find_user_calls(horde) == calls


def test_the_page_says_when_the_balance_was_fetched_and_how_long_ago(login):
    before = timezone.now()
    client = login(DEMO_KEY)  # the login asks the Horde, and its answer is cached

    first = _testid(client.get("/kudos/").content.decode(), "balance-as-of")
    time.sleep(1.1)
    later = _testid(client.get("/kudos/").content.decode(), "balance-as-of")

    fetched_at = re.search(r'<time datetime="([^"]+)">(\d\d:\d\d:\d\d) UTC</time>', first)
    assert fetched_at, first
    assert before <= datetime.fromisoformat(fetched_at.group(1)) <= timezone.now()
    assert "updated just now" in first
    assert fetched_at.group(0) in later  # the same cached answer, and it says so
    assert re.search(r"updated [12] seconds? ago", later), later


def test_no_age_is_shown_when_the_horde_does_not_answer(login, horde):
    from django.core.cache import cache

    client = login(DEMO_KEY)
    cache.clear()
    horde.fail("/v2/find_user", 1)

    html = client.get("/kudos/").content.decode()

    assert 'data-testid="balance-as-of"' not in html
    assert "The Horde is not answering right now" in html
