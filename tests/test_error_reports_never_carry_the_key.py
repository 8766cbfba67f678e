"""A server error during a login POST is mailed to ADMINS, and the mail never carries the rater's Horde key
(nor the site's service key), whether the error is raised inside the login view or before it runs."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from ratings_site.demo.standin import SERVICE_API_KEY
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = pytest.mark.django_db(transaction=True)

# The POST field is cleansed by the filter, then the report's text goes through the key scrubber, which
# labels any `apikey = …` value.
HIDDEN = re.compile(r"apikey = '(\*{20}|\[apikey\])'")


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def database_refuses_raters():
    """The database refuses to write raters (as a full disk or a lost primary would): login fails in the view."""
    table = Rater._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_raters() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_raters BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_raters()"
            )
        else:
            cursor.execute(f"CREATE TRIGGER refuse_raters BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER refuse_raters{' ON ' + table if connection.vendor == 'postgresql' else ''}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION refuse_raters()")


def _post_login(client: Client) -> object:
    return client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": csrf_token(client)})


def _the_report() -> str:
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["ops@example.org"]
    return "\n".join([report.subject, report.body, *(str(content) for content, _ in report.alternatives)])


def test_an_error_inside_the_login_view_is_mailed_without_the_key(admins, database_refuses_raters):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = _post_login(client)

    assert response.status_code == 500
    report = _the_report()
    assert "Raised during: ratings_site.raters.views.login_view" in report
    assert HIDDEN.search(report)
    assert DEMO_KEY not in report
    assert SERVICE_API_KEY not in report


def test_an_error_before_the_login_view_runs_is_mailed_without_the_key(admins, settings, tmp_path, db):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    token = csrf_token(client)
    # The session store is gone: SessionMiddleware fails before the login view can name its sensitive fields.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    settings.SESSION_FILE_PATH = str(tmp_path / "gone")
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = token

    response = client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token})

    assert response.status_code == 500
    report = _the_report()
    assert DEMO_KEY not in report
    assert HIDDEN.search(report)
