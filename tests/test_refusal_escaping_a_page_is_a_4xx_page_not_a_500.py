"""A refusal that a page's view lets escape is answered as a page with its message, its status and Retry-After,
never as a 500; the API's paths keep their JSON answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import include, path
from django.utils import timezone

from ratings_site.ratings.limits import RatingPaused
from ratings_site.refusals import Refusal


def paused(request):
    raise RatingPaused("Slow down: you can rate again in a minute.", until=timezone.now() + timedelta(seconds=60))


def gone(request):
    raise Refusal("That image is gone.", code="image_gone", status=404)


urlpatterns = [path("escaping/paused/", paused), path("escaping/gone/", gone), path("", include("ratings_site.urls"))]


@pytest.fixture(autouse=True)
def _these_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_the_page_says_why_with_the_refusals_status(client):
    answer = client.get("/escaping/paused/")

    assert answer.status_code == 429
    assert 55 <= int(answer["Retry-After"]) <= 60
    page = answer.content.decode()
    assert "Slow down: you can rate again in a minute." in page and 'data-code="rating_paused"' in page


def test_a_refusal_without_an_end_has_no_retry_after(client):
    answer = client.get("/escaping/gone/")

    assert answer.status_code == 404 and "Retry-After" not in answer
    assert "That image is gone." in answer.content.decode()
