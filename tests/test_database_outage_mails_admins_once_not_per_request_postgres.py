"""While the database does not answer, every request fails alike (a 503 each, views.server_error): the admins get
that report once per DATABASE_OUTAGE_MAIL_SECONDS from each web process, not one mail per failed request; any other
server error is mailed every time, as before."""

import logging

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from ratings_site.error_reports import OneDatabaseOutageMailPerWindow
from tests.test_database_down_answers_503_then_recovers_postgres import CLOSED_PORT

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="points the connection at a closed port"),
    pytest.mark.django_db(transaction=True),
]
# Its /fails/ raises a bug that is not the database (with the site's handler500).
FAILING_URLCONF = "tests.test_database_down_answers_503_then_recovers_postgres"


@pytest.fixture
def outage_filter(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    found = [
        f
        for handler in logging.getLogger("django").handlers
        for f in handler.filters
        if isinstance(f, OneDatabaseOutageMailPerWindow)
    ]
    assert found, "the admins' mail handler has no outage filter"
    for f in found:
        f.last_sent = None  # this process's earlier reports (other tests) do not count
    return found[0]


def _requests_while_the_database_is_away(client: Client, count: int) -> list[int]:
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        return [client.get("/").status_code for _ in range(count)]
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def test_five_failed_requests_in_an_outage_send_one_mail(outage_filter, settings):
    settings.DATABASE_OUTAGE_MAIL_SECONDS = 600
    client = Client(raise_request_exception=False)

    statuses = _requests_while_the_database_is_away(client, 5)

    assert statuses == [503] * 5
    assert len(mail.outbox) == 1
    assert "OperationalError" in mail.outbox[0].body


def test_the_next_outage_after_the_window_is_mailed_again(outage_filter, settings):
    settings.DATABASE_OUTAGE_MAIL_SECONDS = 0
    client = Client(raise_request_exception=False)

    _requests_while_the_database_is_away(client, 1)
    _requests_while_the_database_is_away(client, 1)

    assert len(mail.outbox) == 2


def test_other_errors_are_mailed_every_time_even_during_an_outage_window(outage_filter, settings):
    settings.DATABASE_OUTAGE_MAIL_SECONDS = 600
    client = Client(raise_request_exception=False)
    _requests_while_the_database_is_away(client, 2)
    settings.ROOT_URLCONF = FAILING_URLCONF

    answers = [client.get("/fails/").status_code for _ in range(2)]

    assert answers == [500, 500]
    assert len(mail.outbox) == 3
    assert sum("ValueError" in message.body for message in mail.outbox) == 2
