"""What the pages tell a rater about their kudos (Rater.no_kudos_reason) follows the kudos rule
(kudos.services.kudos_for_rating and kudos_for_best_pick): a reason exactly when the rule pays nothing, for every kind
of rater, so that nobody is told they earn when they don't, or the other way round."""

from __future__ import annotations

import pytest

from ratings_site.kudos.services import kudos_for_best_pick, kudos_for_rating
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, Rater

RATERS = {
    "a Horde account": ({"horde_id": 1001}, ""),
    "a trusted one": ({"horde_id": 1002, "trusted": True}, ""),
    "the anonymous key": ({"horde_id": ANONYMOUS_HORDE_ID}, "anonymous key"),
    "a flagged account": ({"horde_id": 1005, "flagged": True}, "account flagged"),
    "the anonymous key, flagged": ({"horde_id": ANONYMOUS_HORDE_ID, "flagged": True}, "anonymous key"),
    "a local account": ({"horde_id": None}, "not a Horde account"),
}


@pytest.mark.parametrize("kind", RATERS)
def test_a_reason_exactly_when_the_rule_pays_nothing(kind: str, settings) -> None:
    settings.KUDOS_PER_RATING = 5
    settings.KUDOS_PER_BEST_PICK = 5
    fields, reason = RATERS[kind]
    rater = Rater(username=kind, **fields)  # the rule reads the rater's fields only: no database needed

    assert rater.no_kudos_reason == reason
    assert (kudos_for_rating(rater) == 0) == bool(rater.no_kudos_reason)
    assert (kudos_for_best_pick(rater) == 0) == bool(rater.no_kudos_reason)
