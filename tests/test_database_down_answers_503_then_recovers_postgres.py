"""While the database does not answer (PostgreSQL restarting), a page says so with a 503 and a Retry-After, not the
500 page's "something went wrong on our side"; once it answers again the same client gets its page back, without a
restart of the site (the full run under load: benchmarks/postgres_restart_fault.py)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import path


def fails(request):
    raise ValueError("a bug, not the database")


urlpatterns = [path("fails/", fails)]
handler500 = "ratings_site.views.server_error"

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="points the connection at a closed port"),
    pytest.mark.django_db(transaction=True),
]

CLOSED_PORT = "1"  # nothing listens there: connecting fails at once, as while the server restarts


def test_a_page_answers_503_while_the_database_is_away_and_200_once_it_is_back():
    client = Client(raise_request_exception=False)
    assert client.get("/").status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        away = client.get("/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert away.status_code == 503
    assert away["Retry-After"] == "5"
    page = away.content.decode()
    assert "database is not answering" in page and "everything you saved before is safe" in page
    assert "Something went wrong" not in page
    assert client.get("/").status_code == 200


def test_an_error_that_is_not_the_database_being_away_still_gets_the_500_page(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    answer = client.get("/fails/")

    assert answer.status_code == 500
    assert "Something went wrong on our side" in answer.content.decode()
