"""format=html answers each moderators' call as a readable page (text/html) showing the same data; json stays
the default whatever the Accept header, and refusals stay JSON with format=html."""

import pytest
from django.db.models import F
from django.test import Client
from django.utils.html import escape

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"


def rate(rater, image, rating, artifacts=None):
    Rating.objects.create(rater=rater, image=image, rating=rating, artifacts=artifacts)
    Image.objects.filter(pk=image.pk).update(ratings_count=F("ratings_count") + 1, rating_sum=F("rating_sum") + rating)


def page(path):
    response = Client().get(path, headers={"apikey": MODERATOR_KEY, "Accept": "application/json"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


@pytest.fixture
def image(make_images):
    image, other = make_images(2)
    rater = Rater.objects.create(username="Shown<b>#6201", horde_id=6201)
    rate(rater, image, 9, artifacts=3)
    rate(rater, other, 2)
    return image


def test_the_image_page_shows_the_image_and_its_ratings(image):
    html = page(f"/api/v1/image/ratings/{image.public_id}?format=html")

    assert "<table" in html and "/static/css/site.css" in html
    assert str(image.public_id) in html and escape(image.url) in html
    assert "Shown&lt;b&gt;#6201" in html and "Shown<b>" not in html
    assert ">9<" in html and ">3<" in html and "9.00" in html


def test_the_check_page_shows_the_figures(image):
    html = page("/api/v1/user/check/6201?format=html&minutes=30")

    assert "Ratings in the timeframe" in html and "Captchas failed" in html
    assert '<td class="num">2</td>' in html


def test_the_validate_page_lists_the_accounts_ratings(image):
    html = page("/api/v1/user/validate/6201?format=html&rating=9")

    assert "1 rating matches" in html
    assert escape(image.url) in html and ">9<" in html and ">3<" in html


def test_the_ratings_page_lists_every_rating_with_the_rater(image):
    html = page("/api/v1/user/ratings/?format=html")

    assert "2 ratings match" in html
    assert html.count("Shown&lt;b&gt;#6201") == 2


def test_json_is_the_default_even_for_a_browser(image):
    response = Client().get(
        "/api/v1/user/ratings/", headers={"apikey": MODERATOR_KEY, "Accept": "text/html,application/xhtml+xml,*/*"}
    )

    assert response["Content-Type"] == "application/json"
    assert response.json()["total"] == 2


def test_refusals_stay_json_with_format_html(image):
    refusals = [
        Client().get("/api/v1/user/ratings/?format=html"),
        Client().get("/api/v1/user/ratings/?format=html", headers={"apikey": "demo-rater-0001"}),
        Client().get("/api/v1/user/check/999999?format=html", headers={"apikey": MODERATOR_KEY}),
        Client().get("/api/v1/user/ratings/?format=html&limit=x", headers={"apikey": MODERATOR_KEY}),
    ]

    assert [r.status_code for r in refusals] == [401, 403, 404, 400]
    for response in refusals:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"message"}
