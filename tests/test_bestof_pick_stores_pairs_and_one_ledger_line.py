"""A pick of the best of a prompt group, through the page: one BestPick, one preference per image it beat, the
group's pick count, and one ledger line of KUDOS_PER_BEST_PICK; a double submit stores all of it once and answers
as the first did; "no clear winner" stores the pick and no pairs."""

from __future__ import annotations

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup, Source
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, csrf_token


def _pick(client, group, winner: str, *, htmx: bool = False):
    url = f"/rate/best-set/best/{group.pk}/pick/"
    if htmx:
        return client.post(url, {"winner": winner}, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})
    return client.post(url, {"winner": winner, "csrfmiddlewaretoken": csrf_token(client)})


def test_a_pick_stores_its_pairs_and_one_ledger_line(login, settings):
    settings.KUDOS_PER_BEST_PICK = 5
    (only,) = make_prompt_groups(1, size=4)
    client = login(DEMO_KEY)
    winner = only.images[2]

    response = _pick(client, only.group, str(winner.public_id), htmx=True)

    assert response.status_code == 200
    assert "Saved: image 3 is best · +5 kudos" in response.content.decode()
    rater = Rater.objects.get(horde_id=1001)
    pick = BestPick.objects.get()
    assert (pick.rater, pick.group_id, pick.winner, pick.source) == (rater, only.group.pk, winner, Source.PAGE)
    assert pick.client_agent == "HordeRatings-web:1.0"
    pairs = {(p.winner_id, p.loser_id, p.rater_id, p.group_id) for p in ImagePreference.objects.all()}
    assert pairs == {(winner.pk, loser.pk, rater.pk, only.group.pk) for loser in only.images if loser != winner}
    assert PromptGroup.objects.get(pk=only.group.pk).picks_count == 1
    line = KudosReward.objects.get()
    assert (line.rater, line.amount, line.kind, line.status) == (rater, 5, KudosReward.Kind.BEST_PICK, "pending")


def test_a_double_submit_stores_once_and_answers_as_the_first(login):
    (only,) = make_prompt_groups(1, size=3)
    client = login(DEMO_KEY)

    first = _pick(client, only.group, str(only.images[0].public_id))
    again = _pick(client, only.group, str(only.images[0].public_id), htmx=True)
    changed_mind = _pick(client, only.group, str(only.images[1].public_id), htmx=True)

    assert first.status_code == 302
    assert again.status_code == 200 and changed_mind.status_code == 200
    assert "Saved: image 1 is best · +5 kudos" in again.content.decode()
    assert "Saved: image 1 is best · +5 kudos" in changed_mind.content.decode()
    assert BestPick.objects.count() == 1
    assert ImagePreference.objects.count() == 2
    assert KudosReward.objects.count() == 1
    assert PromptGroup.objects.get(pk=only.group.pk).picks_count == 1


def test_no_clear_winner_stores_the_pick_without_pairs(login):
    (only,) = make_prompt_groups(1, size=2)
    client = login(DEMO_KEY)

    response = _pick(client, only.group, "none")

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Saved: no clear winner · +5 kudos" in page
    pick = BestPick.objects.get()
    assert pick.winner is None
    assert not ImagePreference.objects.exists()
    assert KudosReward.objects.count() == 1
