"""A paused rater's pick is refused (429) and the page shows the pause as /rate/ does; nothing is stored.
A pick that reaches the flood limit is kept and starts the pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.bestof.models import BestPick, GroupSkip
from ratings_site.raters.models import Rater
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, csrf_token


@pytest.mark.parametrize("action", ["pick", "skip"])
def test_a_paused_rater_sees_the_pause_and_nothing_is_stored(login, action):
    (only,) = make_prompt_groups(1, size=2)
    client = login(DEMO_KEY)
    Rater.objects.filter(horde_id=1001).update(
        paused_until=timezone.now() + timedelta(minutes=5), pause_reason="You rated too fast."
    )

    response = client.post(
        f"/rate/best-set/best/{only.group.pk}/{action}/",
        {"winner": str(only.images[0].public_id)},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="paused"' in body and "You rated too fast." in body
    assert not BestPick.objects.exists() and not GroupSkip.objects.exists()
    assert 'data-testid="paused"' in client.get("/rate/best-set/best/").content.decode()


def test_the_pick_that_reaches_the_flood_limit_is_kept_and_pauses(login, settings):
    settings.RATINGS_PER_MINUTE_MAX = 1
    (only,) = make_prompt_groups(1, size=2)
    client = login(DEMO_KEY)

    response = client.post(
        f"/rate/best-set/best/{only.group.pk}/pick/",
        {"winner": str(only.images[1].public_id)},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved: image 2 is best" in body
    assert 'data-testid="paused"' in body
    assert BestPick.objects.count() == 1
