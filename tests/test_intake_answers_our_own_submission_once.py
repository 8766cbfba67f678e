"""Our own submission must not trip the intake: the Horde's first forward of a set our site is submitting gets
2xx (the rater's reward depends on it), in both orders (while our generate/rate call waits: submission pending;
after its answer: sent), and only notes the forward. The rater's validated pick is kept, whatever `best` the
Horde forwards (its tie quirk). A second forward is 403. Nothing is counted twice."""

import uuid

import pytest

from ratings_site.generations.models import GenerationRating, GenerationSet, Preference, Source
from ratings_site.horde import client
from ratings_site.horde.client import HordeRejected
from tests.intake_helpers import (  # noqa: F401 (fixtures)
    forward,
    forwarding_horde,
    horde_address_listed,
    horde_payload,
    intake_token,
    set_rated_on_our_page,
)

IDS = ["g1", "g2", "g3"]
# The rater's ratings (8, 8, 3) and pick among the tied: g2. The Horde forwards its first 8, g1, as best.
RATINGS = [{"id": "g1", "rating": 8, "artifacts": 1}, {"id": "g2", "rating": 8}, {"id": "g3", "rating": 3}]


def counts() -> tuple[int, int]:
    return GenerationRating.objects.count(), Preference.objects.count()


@pytest.mark.django_db
@pytest.mark.usefixtures("intake_token")
@pytest.mark.parametrize("submission", [GenerationSet.Submission.PENDING, GenerationSet.Submission.SENT])
def test_the_first_forward_is_2xx_and_keeps_the_raters_pick(submission):
    request_id = str(uuid.uuid4())
    ours = set_rated_on_our_page(request_id, IDS, ratings=RATINGS, best="g2", submission=submission)
    assert counts() == (3, 2)

    first = forward(horde_payload(request_id, IDS, ratings=RATINGS, best="g1"))
    second = forward(horde_payload(request_id, IDS, ratings=RATINGS, best="g1"))

    assert first.status_code == 200, first.content
    assert second.status_code == 403 and second.json() == {"message": "This generation set is already rated.", "code": "set_already_rated"}
    ours.refresh_from_db()
    assert ours.horde_intake_at is not None
    assert (ours.best.generation_id, ours.rated_via, ours.submission) == ("g2", Source.PAGE, submission)
    assert counts() == (3, 2)
    assert set(Preference.objects.values_list("winner__generation_id", flat=True)) == {"g2"}


@pytest.mark.django_db
@pytest.mark.usefixtures("intake_token")
@pytest.mark.parametrize("submission", [GenerationSet.Submission.RECORDED, GenerationSet.Submission.REFUSED])
def test_a_set_rated_here_but_not_being_submitted_is_already_rated(submission):
    request_id = str(uuid.uuid4())
    ours = set_rated_on_our_page(request_id, IDS, ratings=RATINGS, best="g2", submission=submission)

    response = forward(horde_payload(request_id, IDS, ratings=RATINGS, best="g1"))

    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.horde_intake_at is None and counts() == (3, 2)


@pytest.mark.django_db(transaction=True)
def test_the_horde_forward_while_our_call_waits_is_paid_once(forwarding_horde):
    """A real generate/rate on the stand-in Horde, forwarded to the live site while our submission is pending."""
    horde = forwarding_horde
    request_id = horde.add_generation_set(3, owner="DemoRater#1001", kudos=100.0)
    ids = horde.generation_ids(request_id)
    ratings = [{"id": ids[0], "rating": 8}, {"id": ids[1], "rating": 8}, {"id": ids[2], "rating": 3}]
    ours = set_rated_on_our_page(request_id, ids, ratings=ratings, best=ids[1], submission="pending")

    reward = client.rate_generation(request_id, ratings=ratings, best=ids[1])  # what our page sends

    assert reward == 15 and horde.balance("DemoRater#1001") == 1015.0
    assert horde.forwards[-1]["status"] == 200 and horde.forwards[-1]["payload"]["best"] == ids[0]
    ours.refresh_from_db()
    assert ours.best.generation_id == ids[1] and ours.horde_intake_at is not None
    assert counts() == (3, 2)
    GenerationSet.objects.filter(pk=ours.pk).update(submission="sent")

    with pytest.raises(HordeRejected) as again:  # a client rating the same set again on the Horde
        client.rate_generation(request_id, ratings=ratings, best=None)

    assert again.value.message == "This generation appears already rated"
    assert horde.balance("DemoRater#1001") == 1015.0 and counts() == (3, 2)
