"""/stats/ says when its figures were computed, and when they are older than the reliability jobs' refresh interval
it asks for a refresh (once, however many pages are served meanwhile); the background job then brings the page's
figures up to date from the counted ratings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.reliability.tasks import REFRESH_MAX_AGE
from tests.helpers import run_worker
from tests.stats_data import jobs_ran_at

pytestmark = pytest.mark.django_db

REFRESH_TASK = "ratings_site.reliability.tasks.refresh_reliability"


def _refreshes_asked() -> int:
    return DBTaskResult.objects.filter(task_path=REFRESH_TASK).count()


def test_fresh_figures_say_when_they_were_computed_and_ask_for_nothing():
    jobs_ran_at(timezone.now() - timedelta(minutes=1))

    html = Client().get("/stats/").content.decode()

    assert re.search(r"Figures as of <time datetime=\"[^\"]+\">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>", html)
    assert 'data-testid="refresh-asked"' not in html
    assert _refreshes_asked() == 0


def test_old_figures_ask_for_one_refresh_however_many_pages_are_served():
    jobs_ran_at(timezone.now() - REFRESH_MAX_AGE - timedelta(minutes=1))

    pages = [Client().get("/stats/").content.decode() for _ in range(3)]

    assert all('data-testid="refresh-asked"' in html for html in pages)
    assert _refreshes_asked() == 1


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection when it is done
def test_the_refresh_brings_the_page_up_to_date(make_images):
    images = make_images(2)
    raters = [Rater.objects.create_user(f"R{n}#{9100 + n}", horde_id=9100 + n) for n in range(2)]
    for image in images:
        for rater, rating in zip(raters, (7, 9), strict=True):
            Rating.objects.create(rater=rater, image=image, rating=rating, artifacts=1)
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # past the agreement job's safety lag
    html = Client().get("/stats/").content.decode()
    assert "The figures have not been computed yet." in html and _refreshes_asked() == 1

    run_worker(queue="exports")

    html = Client().get("/stats/").content.decode()
    assert "Figures as of" in html and 'data-testid="refresh-asked"' not in html
    histogram = re.search(r'data-testid="figure-ratings-test-set".*?</figure>', html, re.S).group(0)
    assert '<th scope="row">7</th><td class="num">2</td>' in histogram
    assert '<th scope="row">9</th><td class="num">2</td>' in histogram
    assert "R0#9100" in html and "R1#9101" in html  # the top raters, from the weights job
