"""The Undo of a delete on /ratings/ (ratings.restore) puts back the very rating that was deleted, as rating it
leaves things: a kudos line already paid is moved back onto it (never earned twice); it keeps its own time, so its
change window is not extended. Refused, changing nothing, with a message and the refusal's status: someone else's
deleted rating (404), a forged undo (400), after the window (403), an image that got all its ratings since (403).
Sent twice, it puts the rating back once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import image_counters, rate_via_page

pytestmark = pytest.mark.usefixtures("no_captchas")

UNDO_TOKEN = re.compile(r'name="deleted" value="([^"]+)"')


def _delete(client: Client, rating: Rating) -> str:
    """Delete through the history page's form; the Undo's token the page then shows."""
    response = client.post(f"/ratings/{rating.pk}/delete/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 302
    found = UNDO_TOKEN.search(client.get(response["Location"]).content.decode())
    assert found, "no Undo after the delete"
    return found.group(1)


def _undo(client: Client, token: str):
    return client.post("/ratings/restore/", {"deleted": token, "csrfmiddlewaretoken": csrf_token(client)})


def _messages(client: Client, response) -> str:
    html = (client.get(response["Location"]) if response.status_code == 302 else response).content.decode()
    return " ".join(re.findall(r'data-testid="message">([^<]*)<', html))


def test_a_paid_rating_comes_back_with_its_paid_line_and_no_new_one(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=9, artifacts=1)
    KudosReward.objects.update(status=KudosReward.Status.PAID)
    line = KudosReward.objects.get()
    rating = Rating.objects.get()
    token = _delete(client, rating)

    answer = _undo(client, token)

    assert answer.status_code == 302
    restored = Rating.objects.get()
    assert (restored.rating, restored.artifacts, restored.created_at) == (9, 1, rating.created_at)
    assert KudosReward.objects.values_list("pk", "rating", "status").get() == (
        line.pk,
        restored.pk,
        KudosReward.Status.PAID,
    )
    assert image_counters(image) == (1, 9, 1, 1)


def test_sent_twice_it_puts_the_rating_back_once(login, make_images):
    client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=6)
    token = _delete(client, Rating.objects.get())

    first = _undo(client, token)
    assert _messages(client, first) == f"Undone: your rating of “{image.caption}” (6 · Decent) is back."
    second = _undo(client, token)

    assert (first.status_code, second.status_code) == (302, 302)
    assert _messages(client, second) == f"Your rating of “{image.caption}” is in place: 6 · Decent."
    assert Rating.objects.count() == 1
    assert image_counters(image) == (1, 6, 0, 0)
    assert KudosReward.objects.count() == 1


@pytest.mark.parametrize("how", ["someone else's", "forged", "too late", "image full since"])
def test_a_refused_undo_changes_nothing_and_says_why(login, make_images, settings, how):
    settings.RATINGS_PER_IMAGE = 1
    client = login(DEMO_KEY)
    other = login(SECOND_KEY)
    [image] = make_images(1)
    rate_via_page(client, image, rating=3)
    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=9))  # within the 10 minutes
    token = _delete(client, Rating.objects.get())
    expected = {
        "someone else's": (404, "That deleted rating is not one of yours."),
        "forged": (400, "That undo is not valid, so nothing was put back."),
        "too late": (403, "can be put back for 5 minutes after it was first saved; this one was saved 9 minutes ago."),
        "image full since": (
            403,
            "That image got all the ratings it needs since you deleted yours, so yours cannot be put back.",
        ),
    }[how]
    if how == "someone else's":
        client = other
    elif how == "forged":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif how == "too late":
        settings.RATING_UNDO_MINUTES = 5  # the window runs from when it was first saved, 9 minutes ago
    else:
        rate_via_page(other, image, rating=8)
    before = list(Rating.objects.values_list("rater__horde_id", "rating"))

    answer = _undo(client, token)

    assert answer.status_code == expected[0]
    assert expected[1] in _messages(client, answer)
    assert list(Rating.objects.values_list("rater__horde_id", "rating")) == before


def test_the_undo_needs_post_a_csrf_token_and_a_login(login, make_images, client):
    rater_client = login(DEMO_KEY)
    [image] = make_images(1)
    rate_via_page(rater_client, image)
    token = _delete(rater_client, Rating.objects.get())

    assert rater_client.get("/ratings/restore/").status_code == 405
    assert rater_client.post("/ratings/restore/", {"deleted": token}).status_code == 403  # no CSRF token
    assert client.post("/ratings/restore/", {"deleted": token}).status_code == 302  # not logged in: to the login page
    assert not Rating.objects.exists()
