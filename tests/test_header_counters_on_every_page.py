"""The header's "N rated today · M in all" shows the signed-in rater's figures on every page that has the header
(it was blank on the stats and error pages), and an htmx rating answer carries the counters with the new rating."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.services import recount_rater_counters
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import rate_via_page

pytestmark = pytest.mark.django_db(transaction=True)


def _counters(html: str) -> tuple[str, str]:
    header = re.search(r'<span id="counters"[^>]*>(.*?) in all</span>', html, re.S)
    assert header, html[:2000]
    today = re.search(r'data-testid="ratings-today">([^<]*)<', header.group(1)).group(1)
    total = re.search(r'data-testid="ratings-total">([^<]*)<', header.group(1)).group(1)
    return today, total


@pytest.fixture
def rater_with_ratings(login, make_images):
    client = login(DEMO_KEY)
    images = make_images(4)
    for image in images[:3]:
        rate_via_page(client, image)
    Rating.objects.filter(image=images[0]).update(created_at=timezone.now() - timedelta(days=2))
    recount_rater_counters(Rater.objects.get(horde_id=1001))  # the counters follow the backdated rating
    Rater.objects.filter(ratings__isnull=False).update(is_staff=True)  # to see /stats/
    return client, images[3]


@pytest.mark.parametrize("path", ["/rate/", "/kudos/", "/stats/", "/no-such-page/"])
def test_every_page_with_the_header_shows_the_raters_figures(rater_with_ratings, path):
    client, _ = rater_with_ratings
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    assert _counters(response.content.decode()) == ("2", "3")


def test_an_htmx_rating_answer_counts_the_new_rating(rater_with_ratings):
    client, image = rater_with_ratings
    response = client.post(
        f"/images/{image.public_id}/rate/",
        {"rating": "6", "csrfmiddlewaretoken": csrf_token(client)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="counters" class="counters" hx-swap-oob="true"' in html
    assert _counters(html) == ("3", "4")


def test_signed_out_pages_have_no_counters(client):
    assert 'id="counters"' not in client.get("/login/").content.decode()
