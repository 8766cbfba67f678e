"""`/` shows signed-out visitors what the site is, the site's stored figures and the login form; raters go to /rate/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.figures.models import SiteFigures
from tests.conftest import DEMO_KEY

# The figures row, the claim of a recount (an insert the first time, then a conditional update) and the
# task's row: whatever the number of ratings, raters or images.
HOME_PAGE_MAX_QUERIES = 4


def _store_figures(*, age: timedelta = timedelta(0), **figures) -> SiteFigures:
    values = {"ratings": 1234567, "raters": 4321, "images": 2500000, "kudos_paid": 6172835, **figures}
    return SiteFigures.objects.create(pk=SiteFigures.ROW, computed_at=timezone.now() - age, **values)


def _testid(html: str, name: str) -> str:
    return re.search(rf'data-testid="{name}">([^<]*)<', html).group(1)


def test_a_visitor_sees_what_the_site_is_and_the_kudos_per_rating(db, settings):
    settings.KUDOS_PER_RATING = 7

    response = Client().get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "LAION" in html
    assert "CC-BY-SA-4.0" in html
    assert "You earn <strong>7 kudos</strong> on the AI Horde for every rating" in html
    assert "from <strong>1</strong> (terrible) to <strong>10</strong> (masterpiece)" in html
    assert "from <strong>0</strong> (flawless) to <strong>5</strong> (garbage)" in html
    assert "keyboard" in html and "tap on a phone" in html


def test_a_site_that_pays_no_kudos_promises_none(db, settings):
    settings.KUDOS_PER_RATING = 0

    html = Client().get("/").content.decode()

    assert 'data-testid="kudos-per-rating"' not in html
    assert "earn kudos" not in html


def test_a_visitor_sees_the_stored_figures(db):
    _store_figures()

    html = Client().get("/").content.decode()

    assert _testid(html, "figure-ratings") == "1,234,567"
    assert _testid(html, "figure-raters") == "4,321"
    assert _testid(html, "figure-images") == "2,500,000"
    assert _testid(html, "figure-kudos-paid") == "6,172,835"


def test_no_figures_are_shown_before_they_were_ever_counted(db):
    html = Client().get("/").content.decode()

    assert 'data-testid="figures"' not in html
    assert "Ratings collected" not in html


def test_the_page_carries_the_login_form_with_next_and_the_anonymous_key_hint(db):
    html = Client().get("/").content.decode()

    form = re.search(r'<form method="post" action="/login/".*?</form>', html, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/rate/"' in form
    assert 'name="apikey"' in form
    assert "<code>0000000000</code> to rate anonymously (no kudos)" in form
    assert "autofocus" not in form  # the key field does not jump past the pitch (the login page's does)
    assert "autofocus" in Client().get("/login/").content.decode()


def test_the_login_form_on_the_page_logs_the_visitor_in(db):
    client = Client(enforce_csrf_checks=True)
    landing = client.get("/")
    token = landing.cookies["csrftoken"].value
    next_url = re.search(r'name="next" value="([^"]*)"', landing.content.decode()).group(1)

    response = client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/rate/"
    assert client.get("/rate/").status_code == 200


def test_a_signed_in_rater_is_sent_to_the_rate_page(login):
    client = login(DEMO_KEY)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/rate/"


@pytest.mark.parametrize(
    "stored",
    [None, timedelta(0), timedelta(hours=1)],
    ids=["never-counted", "fresh", "stale"],
)
def test_the_page_costs_a_fixed_small_number_of_queries(db, django_assert_max_num_queries, stored):
    if stored is not None:
        _store_figures(age=stored)
    client = Client()

    for _ in range(2):  # the first visit may ask for a recount, the second finds it asked
        with django_assert_max_num_queries(HOME_PAGE_MAX_QUERIES):
            assert client.get("/").status_code == 200
