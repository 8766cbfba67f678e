"""The landing page's figures are counted by the `refresh_site_figures` task (or command) and stored; the page
enqueues a recount when the stored figures are stale, once per staleness window, and never counts itself."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings_site.datasets.models import Dataset, Image
from ratings_site.figures.models import FIGURES_MAX_AGE, SiteFigures
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY, SECOND_KEY, THIRD_KEY
from tests.helpers import rate_via_page, run_due_payment, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH_TASK = "ratings_site.figures.tasks.refresh_site_figures"


def _refreshes_enqueued() -> int:
    return DBTaskResult.objects.filter(task_path=REFRESH_TASK).count()


def _age_the_figures(by: timedelta) -> None:
    """Time passes: the stored figures, and the last request for a recount, are older by `by`."""
    row = SiteFigures.objects.get()
    SiteFigures.objects.update(
        computed_at=row.computed_at - by if row.computed_at else None,
        refresh_requested_at=row.refresh_requested_at - by if row.refresh_requested_at else None,
    )


def _rate_and_pay(login, make_images) -> None:
    """Two raters with kudos (3 and 2 ratings, paid), the anonymous key (1 rating, no kudos), and images the
    figures must not count: a hidden one, a captcha, one in a dataset that is not public."""
    images = make_images(4)
    make_images(1, hidden=True)
    make_images(1, dataset="captchas", is_captcha=True, captcha_answer=7)
    private = Dataset.objects.create(slug="private", name="Private", public=False)
    Image.objects.create(dataset=private, url="https://images.example.org/private.jpg", dedupe_key="private")
    first, second, anonymous = login(DEMO_KEY), login(SECOND_KEY), login(ANONYMOUS_KEY)
    for image in images[:3]:
        rate_via_page(first, image)
    for image in images[:2]:
        rate_via_page(second, image)
    rate_via_page(anonymous, images[3])
    login(THIRD_KEY)  # a rater who logged in but never rated
    run_due_payment()


def test_the_command_counts_ratings_raters_images_and_kudos_paid(login, make_images, settings):
    _rate_and_pay(login, make_images)
    out = io.StringIO()

    call_command("refresh_site_figures", stdout=out)

    figures = SiteFigures.objects.get()
    assert (figures.ratings, figures.raters, figures.images) == (6, 3, 4)
    assert figures.kudos_paid == 5 * settings.KUDOS_PER_RATING
    assert figures.computed_at > timezone.now() - timedelta(minutes=1)
    assert "6 ratings by 3 raters" in out.getvalue()


def test_the_first_visit_enqueues_the_task_and_the_worker_counts_the_figures(login, make_images, settings):
    _rate_and_pay(login, make_images)

    html = Client().get("/").content.decode()
    assert 'data-testid="figures"' not in html  # never counted: nothing rather than zeros
    assert _refreshes_enqueued() == 1

    run_worker()

    figures = SiteFigures.objects.get()
    assert (figures.ratings, figures.raters, figures.images, figures.kudos_paid) == (6, 3, 4, 25)
    html = Client().get("/").content.decode()
    assert 'data-testid="figure-ratings">6<' in html
    assert 'data-testid="figure-kudos-paid">25<' in html
    assert _refreshes_enqueued() == 1  # fresh figures ask for nothing


def test_stale_figures_are_shown_and_one_recount_is_enqueued_however_many_visits(make_images):
    call_command("refresh_site_figures", stdout=io.StringIO())
    _age_the_figures(FIGURES_MAX_AGE + timedelta(minutes=1))
    make_images(3)  # the stored figures say 0 images until the recount

    for _ in range(3):
        html = Client().get("/").content.decode()
        assert 'data-testid="figure-images">0<' in html
        cache.clear()  # the guard is the database row, shared by every web process, not a process's cache

    assert _refreshes_enqueued() == 1
    run_worker()
    assert 'data-testid="figure-images">3<' in Client().get("/").content.decode()


def test_a_recount_still_stale_after_the_window_is_asked_for_again(db):
    Client().get("/")
    assert _refreshes_enqueued() == 1  # say no worker ran it

    _age_the_figures(FIGURES_MAX_AGE + timedelta(seconds=1))  # never computed: only the request ages
    Client().get("/")
    Client().get("/")

    assert _refreshes_enqueued() == 2
