"""/kudos/ shows the Horde balance from the Horde, the ledger lines with their statuses, and ratings today and in all."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import recount_rater_counters
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _testid(html: str, name: str) -> str:
    return re.search(rf'data-testid="{name}">([^<]*)<', html).group(1)


def _statuses(html: str) -> list[str]:
    return re.findall(r'<span class="status (\w+)">', html)


def test_the_page_shows_the_horde_balance(login):
    client = login(DEMO_KEY)

    response = client.get("/kudos/")

    assert response.status_code == 200
    assert _testid(response.content.decode(), "balance") == "1,000"


def test_the_page_shows_the_ledger_and_the_counts_then_the_payment(login, make_images, horde):
    client = login(DEMO_KEY)
    images = make_images(3)
    for image in images:
        rate_via_page(client, image)
    Rating.objects.filter(image=images[0]).update(created_at=timezone.now() - timedelta(days=2))
    recount_rater_counters(Rater.objects.get(horde_id=1001))  # the header's counters follow the backdated rating

    html = client.get("/kudos/").content.decode()

    assert _statuses(html) == ["pending"] * 3
    assert (_testid(html, "pending"), _testid(html, "paid"), _testid(html, "failed")) == ("15", "0", "0")
    assert _testid(html, "kudos-ratings-today") == "2"
    assert _testid(html, "kudos-ratings-total") == "3"
    assert html.count("(Test-Set, rated 7)") == 3

    let_deferred_tasks_fall_due()
    run_worker()
    cache.clear()  # find_user answers are cached for 30 s
    html = client.get("/kudos/").content.decode()

    assert _statuses(html) == ["paid"] * 3
    assert (_testid(html, "pending"), _testid(html, "paid")) == ("0", "15")
    assert _testid(html, "balance") == "1,015"
    assert horde.balance("DemoRater#1001") == 1015


def test_the_page_shows_a_line_being_sent_as_pending(login, make_images):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    KudosReward.objects.update(status=KudosReward.Status.SENDING, sending_since=timezone.now())  # a call under way

    html = client.get("/kudos/").content.decode()

    assert _statuses(html) == ["sending"]
    assert '<span class="status sending">pending</span>' in html
    assert _testid(html, "pending") == "5"


def test_the_page_still_answers_when_the_horde_does_not(login, horde):
    client = login(DEMO_KEY)
    cache.clear()
    horde.fail("/v2/find_user", 1)

    response = client.get("/kudos/")

    assert response.status_code == 200
    html = response.content.decode()
    assert _testid(html, "balance") == "—"
    assert "The Horde is not answering right now" in html
