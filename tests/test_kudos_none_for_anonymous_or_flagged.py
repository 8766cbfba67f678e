"""The anonymous key rates but earns nothing (no ledger line, no payment), and the kudos page says so; so do flagged raters."""

import io
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY, csrf_token

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


def test_an_anonymous_rating_counts_but_writes_no_ledger_line(login, make_images, horde):
    client = login(ANONYMOUS_KEY)
    [image] = make_images(1)

    _rate(client, image)

    rater = Rater.objects.get(horde_id=0)
    assert Rating.objects.filter(rater=rater, image=image).exists()
    image.refresh_from_db()
    assert image.ratings_count == 1
    assert not KudosReward.objects.exists()
    assert not DBTaskResult.objects.exists()
    _let_deferred_tasks_fall_due()
    _run_worker()
    assert horde.awards == []


def test_the_kudos_page_tells_an_anonymous_rater_they_earn_nothing(login, make_images, horde):
    client = login(ANONYMOUS_KEY)
    _rate(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert "You are rating with the anonymous key: ratings count, but earn no kudos." in html
    assert '<dd data-testid="balance">—</dd>' in html
    assert "No rewards yet." in html
    assert '<dd data-testid="kudos-ratings-total">1</dd>' in html


def test_the_rating_page_marks_an_anonymous_rater(login, make_images):
    client = login(ANONYMOUS_KEY)
    make_images(1)

    html = client.get("/rate/", follow=True).content.decode()

    assert "anonymous · no kudos" in html
    assert "earn no kudos" in html  # the message shown after logging in


def test_a_flagged_raters_rating_writes_no_ledger_line(login, make_images, horde):
    client = login("demo-flagged-0005")
    [image] = make_images(1)

    _rate(client, image)

    assert Rating.objects.filter(rater__horde_id=1005, image=image).exists()
    assert not KudosReward.objects.exists()
    assert not DBTaskResult.objects.exists()
