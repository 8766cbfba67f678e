"""The stand-in Horde forwards as the real one does, with no credential: a real generate/rate call on it reaches
the live site's intake with no X-Ratings-Set-Token (nor any other credential) and is taken (201) because the site
lists 127.0.0.1, as `make run` does. Unlisted, the same forward is 401: the Horde tells its client the rating
server's message and pays nothing, and the site stores nothing."""

import pytest

from ratings_site.generations.models import GenerationSet
from ratings_site.horde import client
from ratings_site.horde.client import HordeRejected
from tests.intake_helpers import INTAKE

pytestmark = pytest.mark.django_db(transaction=True)


def rate_a_new_set(horde) -> tuple[str, int]:
    request_id = horde.add_generation_set(2, owner="DemoRater#1001", kudos=100.0)
    ids = horde.generation_ids(request_id)
    return request_id, client.rate_generation(request_id, ratings=[{"id": ids[0], "rating": 9}], best=None)


def test_the_forward_with_no_header_is_taken_when_127_0_0_1_is_listed(horde, live_server, settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["127.0.0.1"]
    horde.set_ratings_service(f"{live_server.url}{INTAKE}")

    request_id, reward = rate_a_new_set(horde)

    [sent] = horde.forwards
    assert sent["headers"] == {"Content-Type": "application/json"}
    assert (sent["status"], sent["outcome"]) == (201, "accepted")
    assert reward == 5 and horde.balance("DemoRater#1001") == 1005.0
    assert GenerationSet.objects.filter(request_id=request_id).exists()


def test_unlisted_the_forward_is_401_and_the_horde_pays_nothing(horde, live_server, settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", ["10.1.2.3"]
    horde.set_ratings_service(f"{live_server.url}{INTAKE}")

    with pytest.raises(HordeRejected) as refused:
        rate_a_new_set(horde)

    assert horde.forwards[-1]["status"] == 401
    assert refused.value.message.startswith(
        "Rating Server returned error: Only the AI Horde may post rated sets here. This call came from 127.0.0.1,"
    )
    assert "already rated" not in refused.value.message
    assert horde.balance("DemoRater#1001") == 1000.0 and not GenerationSet.objects.exists()
