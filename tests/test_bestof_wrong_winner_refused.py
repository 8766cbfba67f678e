"""A pick must name an image of the group it is for (or "none"): anything else is refused with 400 and a message,
the same group is shown again, and nothing is stored."""

from __future__ import annotations

import pytest

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup
from ratings_site.kudos.models import KudosReward
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, csrf_token


@pytest.mark.parametrize(
    ("winner", "message"),
    [
        ("other-group", "That is not one of this group"),
        ("not-a-uuid", "That is not one of this group"),
        ("", "Pick the best image, or say that no image is clearly better."),
    ],
)
def test_a_winner_not_in_the_group_is_refused(login, winner, message):
    this, other = make_prompt_groups(2, size=2)
    client = login(DEMO_KEY)
    value = str(other.images[0].public_id) if winner == "other-group" else winner

    response = client.post(
        f"/rate/best-set/best/{this.group.pk}/pick/",
        {"winner": value},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'data-group-id="{this.group.pk}"' in body  # the same group again
    assert not BestPick.objects.exists()
    assert not ImagePreference.objects.exists()
    assert not KudosReward.objects.exists()
    assert set(PromptGroup.objects.values_list("picks_count", flat=True)) == {0}


def test_a_group_of_another_dataset_is_not_found(login):
    (elsewhere,) = make_prompt_groups(1, size=2, dataset="other-set")
    make_prompt_groups(1, size=2)
    client = login(DEMO_KEY)

    response = client.post(
        f"/rate/best-set/best/{elsewhere.group.pk}/pick/",
        {"winner": str(elsewhere.images[0].public_id), "csrfmiddlewaretoken": csrf_token(client)},
    )

    assert response.status_code == 404
    assert not BestPick.objects.exists()
