"""/kudos/ shows the Horde balance from the Horde, the ledger lines with their statuses, and ratings today and in all."""

import io
import re
import signal
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = pytest.mark.django_db(transaction=True)


def _rate(client, image, rating: int = 7) -> None:
    response = client.post(
        f"/images/{image.public_id}/rate/", {"rating": str(rating), "csrfmiddlewaretoken": csrf_token(client)}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _run_worker() -> None:
    """`manage.py db_worker --batch`: runs every task that is due, then exits."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0, stdout=io.StringIO())
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _let_deferred_tasks_fall_due() -> None:
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now() - timedelta(seconds=1))


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
        _rate(client, image)
    Rating.objects.filter(image=images[0]).update(created_at=timezone.now() - timedelta(days=2))

    html = client.get("/kudos/").content.decode()

    assert _statuses(html) == ["pending"] * 3
    assert (_testid(html, "pending"), _testid(html, "paid"), _testid(html, "failed")) == ("15", "0", "0")
    assert _testid(html, "kudos-ratings-today") == "2"
    assert _testid(html, "kudos-ratings-total") == "3"
    assert html.count("(Test-Set, rated 7)") == 3

    _let_deferred_tasks_fall_due()
    _run_worker()
    cache.clear()  # find_user answers are cached for 30 s
    html = client.get("/kudos/").content.decode()

    assert _statuses(html) == ["paid"] * 3
    assert (_testid(html, "pending"), _testid(html, "paid")) == ("0", "15")
    assert _testid(html, "balance") == "1,015"
    assert horde.balance("DemoRater#1001") == 1015


def test_the_page_shows_a_line_being_sent_as_pending(login, make_images):
    client = login(DEMO_KEY)
    _rate(client, make_images(1)[0])
    KudosReward.objects.update(status=KudosReward.Status.SENDING)

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
