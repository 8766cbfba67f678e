"""A rater whose Horde account is rejected: the award is refused, the lines fail with the Horde's message, no retry."""


import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_horde_refusal_marks_the_lines_failed_with_its_message(login, make_images, horde):
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)
    # Since the ratings, the account was flagged on the Horde (the stand-in's Flagged#1005 is refused).
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")

    let_deferred_tasks_fall_due()
    run_worker()

    for line in KudosReward.objects.all():
        assert (line.status, line.attempts, line.paid_at) == (KudosReward.Status.FAILED, 1, None)
        assert "Target user is rejected" in line.last_error
    assert horde.awards == []
    assert horde.balance("Flagged#1005") == 100
    assert [r["path"] for r in horde.requests if r["method"] == "POST"] == ["/v2/kudos/award"]


def test_a_refused_payment_is_not_retried(login, make_images, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")
    let_deferred_tasks_fall_due()
    run_worker()

    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    let_deferred_tasks_fall_due()
    run_worker()
    assert [r["path"] for r in horde.requests if r["method"] == "POST"] == ["/v2/kudos/award"]


def test_the_kudos_page_shows_the_horde_message(login, make_images, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")
    let_deferred_tasks_fall_due()
    run_worker()

    html = client.get("/kudos/").content.decode()

    assert '<span class="status failed">failed</span>' in html
    assert "Target user is rejected" in html
