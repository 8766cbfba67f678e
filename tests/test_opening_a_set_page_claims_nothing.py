"""Opening a set's page claims nothing; whose set it is, the Horde's forward of its rating says.

So that the real owner can still rate a set someone else opened (or tried to rate) first, and the opener's ledger
never shows the kudos the Horde paid the owner. The stand-in Horde forwards rated sets to our intake, as the real
one does (DEMO_SET_FOUR is DemoRater#1001's request).
"""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating, GenerationSet
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.generation_helpers import open_set, set_url, submit_and_send
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _ledger(horde_id: int) -> list[tuple[str, int]]:
    return list(
        KudosReward.objects.filter(rater__horde_id=horde_id, kind=KudosReward.Kind.GENERATION_SET).values_list(
            "subject", "amount"
        )
    )


def test_a_set_opened_by_someone_else_first_is_still_its_owners_to_rate(login, forwarding_horde):
    horde = forwarding_horde
    opener = login(SECOND_KEY)
    assert open_set(opener, DEMO_SET_FOUR).rater is None
    owner = login(DEMO_KEY)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    seen = owner.get(set_url(DEMO_SET_FOUR))
    sent = submit_and_send(owner, DEMO_SET_FOUR, {ids[0]: 9, ids[1]: 4})

    assert seen.status_code == 200
    assert "the Horde gave you <strong>10 kudos</strong>" in sent.content.decode()
    stored = GenerationSet.objects.get()
    assert (stored.rater.horde_id, stored.owner_known, stored.submission) == (1001, True, "sent")
    assert _ledger(1001) == [(DEMO_SET_FOUR, 10)] and _ledger(1006) == []
    assert DEMO_SET_FOUR not in opener.get("/generations/").content.decode()
    assert opener.get(set_url(DEMO_SET_FOUR)).status_code == 403


def test_a_stranger_who_rates_it_first_is_refused_and_the_owner_then_rates_it(login, forwarding_horde):
    horde = forwarding_horde
    stranger = login(SECOND_KEY)
    open_set(stranger, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)

    tried = submit_and_send(stranger, DEMO_SET_FOUR, {ids[0]: 1, ids[1]: 1})

    assert tried.status_code == 403
    assert "another user made this request" in tried.content.decode()
    assert [f["outcome"] for f in horde.forwards] == ["already rated"] and horde.rated == []  # nobody paid
    assert not GenerationRating.objects.exists()
    assert _ledger(1006) == []

    owner = login(DEMO_KEY)
    page = owner.get(set_url(DEMO_SET_FOUR)).content.decode()
    sent = submit_and_send(owner, DEMO_SET_FOUR, {ids[2]: 8})

    assert "another user made this request" not in page  # the stranger's refusal is not shown to the owner
    assert "the Horde gave you <strong>5 kudos</strong>" in sent.content.decode()
    assert [r["owner"] for r in horde.rated] == ["DemoRater#1001"]
    assert list(GenerationRating.objects.values_list("image__generation_id", "rating")) == [(ids[2], 8)]
    assert _ledger(1001) == [(DEMO_SET_FOUR, 5)] and _ledger(1006) == []
