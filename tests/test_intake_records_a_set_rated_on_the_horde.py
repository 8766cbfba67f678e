"""The Horde's forward of a set rated on the Horde reaches /api/v1/rating/set and is recorded through the same
rules: a real generate/rate call on the stand-in Horde, forwarded to the live site as the real Horde does (no
credential, from 127.0.0.1, which the site lists). A second forward of the set gets 403, so the Horde answers
"already rated" and pays nothing."""

import pytest

from ratings_site.generations.models import GenerationRating, GenerationSet, Preference, Source
from ratings_site.horde import client
from ratings_site.horde.client import HordeRejected
from ratings_site.raters.models import Rater
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_forwarded_set_is_recorded_its_owner_made_and_granted_nothing(forwarding_horde):
    horde = forwarding_horde
    request_id = horde.add_generation_set(3, owner="TrustedRater#1002", kudos=100.0)
    ids = horde.generation_ids(request_id)

    # 8, 8, 3 and a best among the tied: the Horde forwards the FIRST 8 as best (its tie quirk).
    reward = client.rate_generation(
        request_id,
        ratings=[{"id": ids[0], "rating": 8, "artifacts": 1}, {"id": ids[1], "rating": 8}, {"id": ids[2], "rating": 3}],
        best=ids[1],
    )

    assert reward == 20  # paid: our intake answered 2xx
    assert horde.forwards[-1]["status"] == 201
    assert horde.forwards[-1]["headers"] == {"Content-Type": "application/json"}  # no credential, as the Horde
    stored = GenerationSet.objects.get(request_id=request_id)
    assert (stored.source, stored.rated_via) == (Source.HORDE, Source.HORDE)
    assert stored.client_agent == "StandinClient:1.0:standin@example.org"
    assert stored.horde_intake_at is not None and stored.best.generation_id == ids[0]
    owner = Rater.objects.get(horde_id=1002)
    assert stored.rater == owner and owner.username == "TrustedRater#1002"
    # The payload says trusted; the intake grants nothing from it.
    assert (owner.trusted, owner.moderator, owner.is_staff, owner.has_usable_password()) == (False, False, False, False)
    assert sorted(GenerationRating.objects.values_list("image__generation_id", "rating", "artifacts")) == sorted(
        [(ids[0], 8, 1), (ids[1], 8, None), (ids[2], 3, None)]
    )
    assert sorted(Preference.objects.values_list("winner__generation_id", "loser__generation_id", "source")) == sorted(
        [(ids[0], ids[1], "horde"), (ids[0], ids[2], "horde")]
    )


def test_a_second_forward_is_already_rated_and_counts_nothing(forwarding_horde):
    horde = forwarding_horde
    request_id = horde.add_generation_set(2, owner="DemoRater#1001", kudos=100.0)
    ids = horde.generation_ids(request_id)
    client.rate_generation(request_id, ratings=[{"id": ids[0], "rating": 9}], best=None)
    balance = horde.balance("DemoRater#1001")

    with pytest.raises(HordeRejected) as refused:
        client.rate_generation(request_id, ratings=[{"id": ids[1], "rating": 2}], best=None)

    assert refused.value.message == "This generation appears already rated"
    assert horde.forwards[-1]["status"] == 403
    assert horde.balance("DemoRater#1001") == balance
    assert list(GenerationRating.objects.values_list("image__generation_id", "rating")) == [(ids[0], 9)]
    assert Preference.objects.count() == 1  # the single 9 of a two-image set is its best


def test_a_best_alone_is_recorded_as_preferences(forwarding_horde):
    horde = forwarding_horde
    request_id = horde.add_generation_set(4, owner="DemoRater#1001", kudos=100.0)
    ids = horde.generation_ids(request_id)

    assert client.rate_generation(request_id, ratings=None, best=ids[2]) == 15

    stored = GenerationSet.objects.get(request_id=request_id)
    assert stored.best.generation_id == ids[2] and not GenerationRating.objects.exists()
    assert Preference.objects.filter(winner__generation_id=ids[2]).count() == 3
