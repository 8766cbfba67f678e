"""A payment stuck in `sending` (its worker died mid-award) reads "being checked" to its rater, never "pending" forever."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.horde.client import award_kudos
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page

pytestmark = pytest.mark.django_db(transaction=True)


def _left_sending(*, seconds_ago: float) -> KudosReward:
    """The state a worker killed mid-award leaves: the Horde recorded the award, the line stays sending, no error."""
    line = KudosReward.objects.get()
    award_kudos(username=line.rater.username, amount=line.amount)
    KudosReward.objects.filter(pk=line.pk).update(
        status=KudosReward.Status.SENDING, attempts=1, sending_since=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return line


def _status_on(client, page: str) -> str:
    html = client.get(page).content.decode()
    return html.split('class="status sending">', 1)[1].split("</span>", 1)[0]


def test_a_line_sending_longer_than_the_horde_timeout_reads_being_checked(login, make_images, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    _left_sending(seconds_ago=2 * settings.HORDE_TIMEOUT + 1)

    assert _status_on(client, "/kudos/") == "being checked"
    assert "a moderator checks on the Horde whether it arrived" in client.get("/kudos/").content.decode()
    assert _status_on(client, "/ratings/") == "being checked"


def test_a_line_whose_call_may_still_be_under_way_reads_pending(login, make_images):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    _left_sending(seconds_ago=0.1)

    assert _status_on(client, "/kudos/") == "pending"
