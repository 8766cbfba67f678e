"""The anonymous key rates but earns nothing (no ledger line, no payment), and the kudos page says so; so do flagged raters."""


import pytest
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_rating_counts_but_writes_no_ledger_line(login, make_images, horde):
    client = login(ANONYMOUS_KEY)
    [image] = make_images(1)

    rate_via_page(client, image)

    rater = Rater.objects.get(horde_id=0)
    assert Rating.objects.filter(rater=rater, image=image).exists()
    image.refresh_from_db()
    assert image.ratings_count == 1
    assert not KudosReward.objects.exists()
    assert not DBTaskResult.objects.exists()
    let_deferred_tasks_fall_due()
    run_worker()
    assert horde.awards == []


def test_the_kudos_page_tells_an_anonymous_rater_they_earn_nothing(login, make_images, horde):
    client = login(ANONYMOUS_KEY)
    rate_via_page(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert "You are rating with the anonymous key: ratings count, but earn no kudos." in html
    assert '<dd data-testid="balance">—</dd>' in html
    assert "No rewards: the anonymous key earns none." in html
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

    rate_via_page(client, image)

    assert Rating.objects.filter(rater__horde_id=1005, image=image).exists()
    assert not KudosReward.objects.exists()
    assert not DBTaskResult.objects.exists()
