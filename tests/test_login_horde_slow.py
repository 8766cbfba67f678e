"""The Horde answers slower than HORDE_TIMEOUT: login gives up in time and says it is not answering."""

import time

from django.test import Client

from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY


def test_it_gives_up_after_the_timeout_with_a_clear_message(db, horde, settings):
    settings.HORDE_TIMEOUT = 0.5
    horde.delay_seconds = 5.0  # well above the timeout; reset() at the next test cuts it short
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    started = time.monotonic()
    response = client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token})
    elapsed = time.monotonic() - started

    assert elapsed < 3.0, f"the login page took {elapsed:.1f}s"
    assert response.status_code == 503
    assert "Retry-After" in response
    assert "The Horde is not answering right now" in response.content.decode()
    assert Rater.objects.count() == 0
    assert [r["path"] for r in horde.requests] == ["/v2/find_user"]  # it did reach the slow Horde


def test_a_slow_horde_within_the_timeout_still_logs_in(db, horde, settings):
    settings.HORDE_TIMEOUT = 3.0
    horde.delay_seconds = 0.3
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value

    response = client.post("/login/", {"apikey": DEMO_KEY, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Rater.objects.filter(horde_id=1001).exists()
