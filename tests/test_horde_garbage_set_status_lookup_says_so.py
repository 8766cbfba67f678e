"""Opening a set the site does not know asks the Horde's generate/status: the one Horde call left on the generation
pages. A Horde that sends garbage, closes the connection or is slower than HORDE_TIMEOUT gets a clear 503 page
within its bound, records nothing, and the page works on the next visit once the Horde is back."""

import time

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import set_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("how", ["garbage", "wrong-json", "close", "sleep"])
def test_a_broken_status_answer_is_a_clear_503_then_the_set_opens(login, horde, settings, how):
    client = login(DEMO_KEY)
    settings.HORDE_TIMEOUT = 0.5
    horde.misbehave("/v2/generate/status", 1, how, seconds=3)

    started = time.monotonic()
    response = client.get(set_url(DEMO_SET_FOUR))
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    page = response.content.decode()
    assert "Nothing was recorded" in page and "Try again" in page, page[:2000]
    assert elapsed < 2, f"the page waited {elapsed:.2f} s on the Horde"
    assert not GenerationSet.objects.exists()
    assert client.get(set_url(DEMO_SET_FOUR)).status_code == 200


def test_the_lookup_waits_no_longer_than_a_login_does(login, horde, settings):
    """HORDE_TIMEOUT (5 s) is for the worker's calls; a page holding a web thread gives up at HORDE_LOGIN_TIMEOUT."""
    client = login(DEMO_KEY)
    settings.HORDE_TIMEOUT = 5
    settings.HORDE_LOGIN_TIMEOUT = 0.5
    horde.misbehave("/v2/generate/status", 1, "sleep", seconds=4)

    started = time.monotonic()
    response = client.get(set_url(DEMO_SET_FOUR))
    elapsed = time.monotonic() - started

    assert response.status_code == 503 and "did not answer in time" in response.content.decode()
    assert elapsed < 2, f"the page waited {elapsed:.2f} s on the Horde"
