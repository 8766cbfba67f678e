"""Visits to request ids the site does not know ask the Horde's generate/status through a cache and a per-rater
limit, so that one rater cannot get the whole site limited by the Horde (which limits by address)."""

import uuid

import pytest

from ratings_site.demo.standin import DEMO_SET_EXPIRED, DEMO_SET_PROCESSING
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.generation_helpers import set_url

pytestmark = pytest.mark.django_db


def _status_calls(horde) -> int:
    return sum(1 for r in horde.requests if r["path"].startswith("/v2/generate/status/"))


@pytest.mark.parametrize("request_id", [DEMO_SET_PROCESSING, DEMO_SET_EXPIRED])
def test_sixty_visits_to_one_request_id_ask_the_horde_once(login, horde, request_id):
    client = login(DEMO_KEY)

    statuses = {client.get(set_url(request_id)).status_code for _ in range(60)}

    assert statuses == ({200} if request_id == DEMO_SET_PROCESSING else {404})
    assert _status_calls(horde) == 1


def test_sixty_unknown_request_ids_make_a_handful_of_calls_then_429(login, horde, settings):
    settings.GENERATION_STATUS_LOOKUPS_PER_MINUTE = 5
    client = login(DEMO_KEY)

    answers = [client.get(set_url(str(uuid.uuid4()))) for _ in range(60)]

    assert _status_calls(horde) <= 5
    assert [a.status_code for a in answers[:5]] == [404] * 5
    refused = answers[-1]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "Too many request ids at once" in refused.content.decode()

    other = login(SECOND_KEY)  # the limit is per rater: another rater still gets through
    assert other.get(set_url(str(uuid.uuid4()))).status_code == 404
    assert _status_calls(horde) <= 6
