"""The 500 page says the administrators were sent the details only when ADMINS is set and a mail went out."""

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

TOLD = "administrators have been sent the details"


@pytest.fixture
def broken_session_store(settings, tmp_path):
    """Every request fails with a server error: the session store's folder is gone."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    settings.SESSION_FILE_PATH = str(tmp_path / "gone")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_with_admins_a_report_is_mailed_and_the_page_says_so(broken_session_store, settings):
    settings.ADMINS = [("Ops", "ops@example.org")]

    response = Client(raise_request_exception=False).get("/rate/")

    assert response.status_code == 500
    assert TOLD in response.content.decode()
    assert [message.to for message in mail.outbox] == [["ops@example.org"]]


def test_without_admins_nothing_is_sent_and_the_page_claims_nothing(broken_session_store, settings):
    settings.ADMINS = []

    response = Client(raise_request_exception=False).get("/rate/")

    assert response.status_code == 500
    page = response.content.decode()
    assert TOLD not in page and "We have been told" not in page
    assert "try again in a minute" in page
    assert mail.outbox == []
