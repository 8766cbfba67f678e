"""Opening a set: an expired request, a Horde that is down, another rater's set, a malformed id, no login."""

import pytest

from ratings_site.demo.standin import DEMO_SET_EXPIRED, DEMO_SET_FOUR, DEMO_SET_PROCESSING
from ratings_site.generations.models import GenerationRating, GenerationSet
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.generation_helpers import open_set, rate_calls, set_url, submit
from tests.helpers import run_worker


@pytest.mark.django_db
def test_an_expired_request_says_the_horde_no_longer_has_it(login, horde):
    client = login(DEMO_KEY)

    response = client.get(set_url(DEMO_SET_EXPIRED))

    assert response.status_code == 404
    assert "The Horde no longer has this request" in response.content.decode()
    assert "about 10 minutes" in response.content.decode()
    assert not GenerationSet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_that_expires_before_the_submit_is_refused_with_the_choices_kept(login, horde):
    client = login(DEMO_KEY)
    generation_set = open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.expire(DEMO_SET_FOUR)

    assert submit(client, DEMO_SET_FOUR, {ids[1]: 8}).status_code == 302  # saved; the worker sends it
    run_worker()
    response = client.get(set_url(DEMO_SET_FOUR))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The Horde no longer has this request" in page
    assert f'name="rating-{ids[1]}" value="8" data-label="Great" checked' in page
    assert not GenerationRating.objects.exists()
    generation_set.refresh_from_db()
    assert generation_set.submission == GenerationSet.Submission.REFUSED and generation_set.rated_at is None


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.django_db
def test_a_horde_that_is_down_is_said_and_nothing_is_recorded(login, horde, status):
    client = login(DEMO_KEY)
    horde.fail("/v2/generate/status", 1, status)

    response = client.get(set_url(DEMO_SET_FOUR))

    assert response.status_code == 503
    assert "The Horde is not answering" in response.content.decode()
    assert not GenerationSet.objects.exists()
    assert client.get(set_url(DEMO_SET_FOUR)).status_code == 200  # once it is back


@pytest.mark.django_db
def test_a_set_still_generating_is_not_recorded_yet(login, horde):
    client = login(DEMO_KEY)

    response = client.get(set_url(DEMO_SET_PROCESSING))

    assert response.status_code == 200
    assert "Still generating" in response.content.decode()
    assert not GenerationSet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_another_raters_set_is_refused_with_a_clear_page(login, horde):
    """Once its owner rated it (opening it claims nothing: tests/test_opening_a_set_page_claims_nothing.py)."""
    owner = login(DEMO_KEY)
    open_set(owner, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    submit(owner, DEMO_SET_FOUR, {ids[1]: 7})
    run_worker()
    stranger = login(SECOND_KEY)

    seen = stranger.get(set_url(DEMO_SET_FOUR))
    posted = submit(stranger, DEMO_SET_FOUR, {ids[0]: 9})

    assert seen.status_code == 403 and posted.status_code == 403
    assert "This set belongs to another rater" in seen.content.decode()
    assert len(rate_calls(horde)) == 1  # the owner's
    assert list(GenerationRating.objects.values_list("image__generation_id", flat=True)) == [ids[1]]
    assert DEMO_SET_FOUR not in stranger.get("/generations/").content.decode()


@pytest.mark.django_db
def test_the_open_field_goes_to_the_set_or_explains_a_malformed_id(login, horde):
    client = login(DEMO_KEY)

    opened = client.get("/generations/", {"request_id": f"  {DEMO_SET_FOUR.upper()} "})
    malformed = client.get("/generations/", {"request_id": "not-an-id"})

    assert opened.status_code == 302 and opened["Location"] == set_url(DEMO_SET_FOUR)
    assert malformed.status_code == 400
    assert "That is not a Horde request id" in malformed.content.decode()
    assert 'value="not-an-id"' in malformed.content.decode()
    assert client.get("/generations/not-an-id/").status_code == 404


@pytest.mark.django_db
def test_the_pages_need_a_login(client):
    for url in ["/generations/", set_url(DEMO_SET_FOUR)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/generations/")
