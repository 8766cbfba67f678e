"""An award that was sent but not answered in time may have been paid: it is never sent again by itself."""

import time

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page


@pytest.mark.django_db(transaction=True)
def test_a_timed_out_award_is_left_for_review_and_not_sent_again(login, make_images, horde, settings):
    settings.HORDE_TIMEOUT = 0.3
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    rater = Rater.objects.get(horde_id=1001)

    horde.delay_seconds = 0.8  # the stand-in pays, but answers after our timeout
    result = pay_rewards_for(rater.pk)
    assert result.status == "unknown"
    line = KudosReward.objects.get()
    assert line.status == KudosReward.Status.SENDING
    assert "may have paid" in line.last_error

    deadline = time.monotonic() + 5
    while not horde.awards and time.monotonic() < deadline:  # the slow call lands on the Horde
        time.sleep(0.05)
    horde.delay_seconds = 0
    assert pay_rewards_for(rater.pk).status == "nothing to pay"
    assert [award["amount"] for award in horde.awards] == [5]  # paid once, by the call that timed out
    assert "being checked" in client.get("/kudos/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_horde_is_retried_because_it_never_saw_the_award(login, make_images, horde, settings):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    rater = Rater.objects.get(horde_id=1001)

    settings.HORDE_API_URL = "http://127.0.0.1:9/api"  # nothing listens there
    assert pay_rewards_for(rater.pk).status == "retrying"
    assert KudosReward.objects.get().status == KudosReward.Status.PENDING

    settings.HORDE_API_URL = horde.url
    assert pay_rewards_for(rater.pk).status == "paid"
    assert [award["amount"] for award in horde.awards] == [5]
