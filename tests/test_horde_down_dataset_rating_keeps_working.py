"""Rating a dataset's images needs no Horde call: once the rater is logged in (the page) or their key is known
(the API), a Horde that is down, answers 500, sends garbage, closes the connection or is slow changes nothing. Each
rating is stored at once (no wait on the Horde) with its ledger line owed; the lines are paid once the Horde is
back."""

import time

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import rate_via_page, run_due_payment
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

# "sleep": a Horde that answers 3 s late; a rating that waited on it would show in the elapsed time.
FAULTS = ["503", "500", "garbage", "close", "sleep"]
QUICK = 1.5  # seconds: far below the Horde's 3 s, far above a rating's own time on a loaded machine


def _break(horde, fault: str) -> None:
    if fault.isdigit():
        horde.fail("/", 1000, int(fault))  # every API path
    else:
        horde.misbehave("/", 1000, fault, seconds=3)


@pytest.mark.parametrize("fault", FAULTS)
def test_the_page_rates_while_the_horde_is_broken_and_pays_once_it_is_back(login, make_images, horde, fault):
    first, second = make_images(2)
    client = login(DEMO_KEY)
    _break(horde, fault)
    calls_before = len(horde.requests)

    started = time.monotonic()
    assert client.get("/rate/").status_code == 200
    rate_via_page(client, first, 7)
    rate_via_page(client, second, 4, artifacts=1)
    elapsed = time.monotonic() - started

    assert elapsed < QUICK, f"the rating waited on the Horde: {elapsed:.2f} s"
    assert len(horde.requests) == calls_before  # not one call
    assert sorted(Rating.objects.values_list("rating", flat=True)) == [4, 7]
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PENDING}

    horde.reset()
    run_due_payment()
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PAID}
    assert sum(award["amount"] for award in horde.awards) == sum(KudosReward.objects.values_list("amount", flat=True))


@pytest.mark.parametrize("fault", FAULTS)
def test_the_api_rates_with_a_known_key_while_the_horde_is_broken(make_images, horde, fault):
    first, second = make_images(2)
    assert api_get("/api/v1/rating/new", apikey=SECOND_KEY).status_code == 200  # the key is now known
    _break(horde, fault)
    calls_before = len(horde.requests)

    started = time.monotonic()
    answers = [api_rate(image.public_id, {"rating": 6}, apikey=SECOND_KEY) for image in (first, second)]
    elapsed = time.monotonic() - started

    assert [a.status_code for a in answers] == [201, 201], [a.content[:300] for a in answers]
    assert elapsed < QUICK, f"the rating waited on the Horde: {elapsed:.2f} s"
    assert len(horde.requests) == calls_before
    assert Rating.objects.filter(rater__horde_id=1006).count() == 2
    assert KudosReward.objects.filter(status=KudosReward.Status.PENDING).count() == 2
