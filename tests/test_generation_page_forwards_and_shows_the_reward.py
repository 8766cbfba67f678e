"""Rating a set on its page forwards it to the Horde's generate/rate and shows the reward it answered."""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet, Preference
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, set_url, submit, submit_and_send
from tests.helpers import run_worker
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)


@pytest.mark.django_db(transaction=True)
def test_the_horde_gets_the_rating_and_the_page_and_list_show_its_reward(login, forwarding_horde):
    """The Horde forwards the set to our intake, as the real one does: its forward names the owner, whose ledger
    then shows the reward (tests/test_opening_a_set_page_claims_nothing.py)."""
    horde = forwarding_horde
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    assert [i.generation_id for i in generation_set.images.all()] == ids

    response = submit_and_send(client, DEMO_SET_FOUR, {ids[0]: (8, 1), ids[1]: 5, ids[2]: 3}, best="")

    assert response.status_code == 200
    page = response.content.decode()
    assert "the Horde gave you <strong>20 kudos</strong>" in page  # 3 ratings × 5 + 5 for the artifacts
    assert "Best: image 1. It holds the top rating alone" in page
    [accepted] = horde.rated
    assert accepted["reward"] == 20
    assert accepted["ratings"] == [
        {"id": ids[0], "rating": 8, "artifacts": 1}, {"id": ids[1], "rating": 5}, {"id": ids[2], "rating": 3}
    ]
    assert len(rate_calls(horde)) == 1
    assert rate_calls(horde)[0]["client_agent"].startswith("HordeRatings:")
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT
    assert (generation_set.horde_reward, generation_set.best.generation_id) == (20, ids[0])
    assert generation_set.submitted_at is not None
    assert GenerationRating.objects.count() == 3 and Preference.objects.count() == 3
    line = KudosReward.objects.get(kind=KudosReward.Kind.GENERATION_SET)
    assert (line.amount, line.status, line.subject) == (20, KudosReward.Status.HORDE, DEMO_SET_FOUR)

    listing = client.get("/generations/").content.decode()
    assert DEMO_SET_FOUR in listing and "the Horde gave you <strong>20 kudos</strong>" in listing


@pytest.mark.django_db(transaction=True)
def test_a_picked_best_alone_is_sent_and_a_second_submit_sends_nothing(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    first = submit(client, DEMO_SET_FOUR, best=ids[2])
    again = submit(client, DEMO_SET_FOUR, best=ids[1], follow=True)
    run_worker()

    assert first.status_code == 302
    assert "rated already; nothing was sent again" in again.content.decode()
    assert [r["best"] for r in horde.rated] == [ids[2]]
    assert len(rate_calls(horde)) == 1
    assert GenerationSet.objects.get().best.generation_id == ids[2]
    assert Preference.objects.filter(winner__generation_id=ids[2]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_first_submit_shows_what_will_be_sent_and_stores_nothing(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    review = submit(client, DEMO_SET_FOUR, {ids[1]: 7}, confirmed=False)

    page = review.content.decode()
    assert review.status_code == 200
    assert "This is what will be sent to the Horde" in page
    assert "Image 2: 7 · Good" in page and "Image 1: not rated" in page
    assert "Best: image 2. The only image you rated, rated 7 or more, counts as the best." in page
    assert f'name="rating-{ids[1]}" value="7"' in page  # carried to the Save button's form
    assert not rate_calls(horde)
    assert not GenerationRating.objects.exists()
    assert client.get(set_url(DEMO_SET_FOUR)).status_code == 200
