"""X-Forwarded-For is whatever the caller wrote, except for the entries the trusted proxies (FORWARDED_PROXIES)
appended: a caller that writes the Horde's listed address there does not get in, with no proxy declared (the
header is ignored) nor with one or two (only the outermost trusted proxy's entry counts, never the leftmost)."""

import uuid

import pytest

from ratings_site.generations.models import GenerationSet
from tests.intake_helpers import forward, horde_payload

pytestmark = pytest.mark.django_db

HORDE = "10.1.2.3"


def a_rated_set() -> dict:
    return horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 7}])


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "caller"),
    [
        (0, "198.51.100.66", HORDE, "198.51.100.66"),  # no proxy: the header counts for nothing
        (0, "198.51.100.66", f"{HORDE}, {HORDE}", "198.51.100.66"),
        (1, "172.16.0.9", f"{HORDE}, 198.51.100.66", "198.51.100.66"),  # the proxy appended the real caller
        (1, "172.16.0.9", f"{HORDE},{HORDE}, 198.51.100.66", "198.51.100.66"),
        (2, "172.16.0.9", f"{HORDE}, 198.51.100.66, 172.16.0.5", "198.51.100.66"),
    ],
)
def test_a_forged_leftmost_entry_never_counts(settings, proxies, remote_addr, forwarded_for, caller):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", [HORDE]
    settings.FORWARDED_PROXIES = proxies

    response = forward(a_rated_set(), token=None, REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert response.status_code == 401
    assert f"This call came from {caller}," in response.json()["message"]
    assert not GenerationSet.objects.exists()
