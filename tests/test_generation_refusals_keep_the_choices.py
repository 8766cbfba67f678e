"""Every refusal, ours or the Horde's, shows its reason with the rater's choices kept and stores nothing.

Our rules' refusals send nothing to the Horde; the Horde's refusals (400 with its message, 404) undo the
local record, and the rater can submit again; its 429 only delays the worker's send.
"""

import re

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR, DEMO_SET_NOT_SHARED, DEMO_SET_ONE, DEMO_SET_THREE
from ratings_site.generations.models import GenerationRating, GenerationSet, Preference
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.generation_helpers import form_data, open_set, rate_calls, set_url, submit, submit_and_send
from tests.helpers import let_deferred_tasks_fall_due, run_worker

TRUSTED_KEY = "demo-trusted-0002"  # the owner of DEMO_SET_NOT_SHARED


def checked(page: str, name: str) -> str | None:
    """The value of the checked radio button `name` on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def assert_nothing_stored(generation_set: GenerationSet) -> None:
    generation_set.refresh_from_db()
    assert generation_set.rated_at is None and generation_set.best_id is None
    assert not GenerationRating.objects.exists() and not Preference.objects.exists()
    assert not KudosReward.objects.exists()


@pytest.mark.parametrize(
    "choose, reason",
    [
        (lambda ids: ({ids[0]: 8, ids[1]: 8}, ids[2]), "share the top rating (8); the best must be one of them"),
        (lambda ids: ({}, ""), "Rate at least one image or pick the best."),
        (lambda ids: ({}, "none"), "no image is clearly better"),
        (lambda ids: ({ids[0]: 11}, ""), "must be from 1 to 10"),
        (lambda ids: ({ids[0]: (6, 9)}, ""), "must be from 0 to 5"),
        (lambda ids: ({"not-in-this-set": 6}, ""), None),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_our_rules_refuse_keep_the_choices_and_send_nothing(login, horde, choose, reason):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ratings, best = choose(horde.generation_ids(DEMO_SET_FOUR))

    response = submit(client, DEMO_SET_FOUR, ratings, best)

    page = response.content.decode()
    assert response.status_code == 400
    if reason:
        assert reason in page
    assert 'data-testid="error"' in page
    for generation_id, value in ratings.items():
        rating = value[0] if isinstance(value, tuple) else value
        if 1 <= rating <= 10 and generation_id != "not-in-this-set":
            assert checked(page, f"rating-{generation_id}") == str(rating)
    if best:
        assert checked(page, "best") == best
    assert not rate_calls(horde)
    assert_nothing_stored(generation_set)


@pytest.mark.django_db(transaction=True)
def test_artifacts_without_a_rating_are_refused_and_kept(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    data_page = submit(client, DEMO_SET_FOUR, {ids[0]: 7}, confirmed=False)  # the review: fine so far
    assert data_page.status_code == 200

    data = form_data(client, {ids[0]: 7})
    data[f"artifacts-{ids[1]}"] = "2"
    response = client.post(set_url(DEMO_SET_FOUR), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Image 2: you chose its artifacts but not its rating" in page
    assert checked(page, f"artifacts-{ids[1]}") == "2" and checked(page, f"rating-{ids[0]}") == "7"
    assert not rate_calls(horde)
    assert_nothing_stored(generation_set)


@pytest.mark.django_db(transaction=True)
def test_a_best_alone_on_a_one_image_set_is_refused(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_ONE)
    [only] = horde.generation_ids(DEMO_SET_ONE)

    response = submit(client, DEMO_SET_ONE, best=only)

    assert response.status_code == 400
    assert "only one image, so there is no best to pick" in response.content.decode()
    assert not rate_calls(horde)
    assert_nothing_stored(generation_set)


@pytest.mark.django_db(transaction=True)
def test_a_censored_image_is_marked_and_cannot_be_rated(login, horde):
    client = login(SECOND_KEY)  # DEMO_SET_THREE: two images, one censored, one faulted
    generation_set = open_set(client, DEMO_SET_THREE)
    ok_one, ok_two, censored, faulted = horde.generation_ids(DEMO_SET_THREE)
    page = client.get(f"/generations/{DEMO_SET_THREE}/").content.decode()
    assert "Censored by the Horde: not rateable" in page
    assert f'name="rating-{censored}"' not in page and f'name="rating-{faulted}"' not in page
    assert "1 image failed to generate and is not shown" in page

    response = submit(client, DEMO_SET_THREE, {ok_one: 6, censored: 9})

    assert response.status_code == 400
    assert "was censored by the Horde and cannot be rated" in response.content.decode()
    assert not rate_calls(horde)
    assert_nothing_stored(generation_set)


@pytest.mark.django_db(transaction=True)
def test_the_hordes_own_refusal_is_shown_in_its_words_and_nothing_is_kept(login, horde):
    client = login(TRUSTED_KEY)
    generation_set = open_set(client, DEMO_SET_NOT_SHARED)
    ids = horde.generation_ids(DEMO_SET_NOT_SHARED)

    response = submit_and_send(client, DEMO_SET_NOT_SHARED, {ids[0]: 9, ids[1]: 4})

    page = response.content.decode()
    assert response.status_code == 200
    assert "The Horde refused this rating: You can only aesthetically rate requests you have opted to share publicly" in page
    assert checked(page, f"rating-{ids[0]}") == "9" and checked(page, f"rating-{ids[1]}") == "4"
    assert len(rate_calls(horde)) == 1 and not horde.rated
    assert_nothing_stored(generation_set)
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.REFUSED
    # Opened again later, the page still offers the choices, with the Horde's words.
    again = client.get(f"/generations/{DEMO_SET_NOT_SHARED}/").content.decode()
    assert checked(again, f"rating-{ids[0]}") == "9" and "opted to share publicly" in again


@pytest.mark.django_db(transaction=True)
def test_too_many_calls_keep_the_rating_pending_and_the_retry_goes_through(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 429)

    waiting = submit_and_send(client, DEMO_SET_FOUR, {ids[0]: 6, ids[3]: 9}, best=ids[3])

    assert "pending: we will send it when the Horde answers" in waiting.content.decode()
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.PENDING and generation_set.rated_at is not None
    assert not horde.rated

    let_deferred_tasks_fall_due()
    run_worker()
    accepted = client.get(set_url(DEMO_SET_FOUR))
    assert "the Horde gave you <strong>10 kudos</strong>" in accepted.content.decode()
    assert [r["request_id"] for r in horde.rated] == [DEMO_SET_FOUR]
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.SENT and generation_set.submission_error == ""
