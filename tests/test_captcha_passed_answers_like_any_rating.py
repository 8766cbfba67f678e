"""A check image (captcha) answered right answers exactly as a rating of a dataset image does, so a client cannot
learn afterwards which images were checks: the API's 201 {"reward", "message"} (same status, keys, reward and
message), a repeated answer's 403, the rate page's "Saved: …" line (htmx and plain form, Undo included), and the
rater's /kudos/ page and counters. Anonymous and flagged raters earn 0 for both. A failed check still says it
was a check."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ratings_site.datasets.models import Dataset, Image
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY, csrf_token
from tests.rating_api_helpers import api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

FLAGGED_KEY = "demo-flagged-0005"
SAVED = re.compile(r'<p class="toast [^"]*" data-testid="saved">.*?</p>', flags=re.S)


@pytest.fixture
def image_and_check(make_images) -> tuple[Image, Image]:
    """A dataset image and a check image asking for a 7 (in a non-public pool, as the captchas are)."""
    (image,) = make_images(1)
    (check,) = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    Dataset.objects.filter(slug="checks").update(public=False)
    return image, check


def _answer(response) -> tuple[int, str, dict]:
    return response.status_code, response["Content-Type"], response.json()


@pytest.mark.parametrize("body", [{"rating": 7, "artifacts": 2}, {"rating": 7}], ids=["with-artifacts", "without"])
def test_the_api_answers_a_passed_check_as_a_rating(image_and_check, body, settings):
    image, check = image_and_check

    rated = _answer(api_rate(image.public_id, body, apikey=DEMO_KEY))
    checked = _answer(api_rate(check.public_id, body, apikey=DEMO_KEY))

    assert checked == rated
    assert rated[0] == 201 and set(rated[2]) == {"reward", "message"}
    assert rated[2]["reward"] == settings.KUDOS_PER_RATING
    assert f"+{settings.KUDOS_PER_RATING} kudos" in rated[2]["message"]


def test_the_api_refuses_a_repeated_answer_as_a_repeated_rating(image_and_check):
    image, check = image_and_check
    for target in (image, check):
        assert api_rate(target.public_id, {"rating": 7}, apikey=DEMO_KEY).status_code == 201

    again = [_answer(api_rate(target.public_id, {"rating": 7}, apikey=DEMO_KEY)) for target in (image, check)]

    assert again[0] == again[1]
    assert again[0][0] == 403


@pytest.mark.parametrize("key", [ANONYMOUS_KEY, FLAGGED_KEY], ids=["anonymous", "flagged"])
def test_raters_who_earn_nothing_earn_nothing_for_either(image_and_check, key):
    image, check = image_and_check

    rated = _answer(api_rate(image.public_id, {"rating": 7}, apikey=key))
    checked = _answer(api_rate(check.public_id, {"rating": 7}, apikey=key))

    assert checked == rated
    assert rated[0] == 201 and rated[2]["reward"] == 0


def test_a_failed_check_still_says_it_was_a_check(image_and_check):
    _, check = image_and_check

    status, _, body = _answer(api_rate(check.public_id, {"rating": 3}, apikey=DEMO_KEY))

    assert (status, body["reward"]) == (201, 0)
    assert "That image was a check: it asked you to rate it a 7." in body["message"]


def _saved_line(client: Client, image: Image, *, htmx: bool) -> str:
    token = csrf_token(client)
    url = f"/images/{image.public_id}/rate/"
    data = {"rating": "7", "artifacts": "2"}
    if htmx:
        page = client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token}).content.decode()
    else:
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
    lines = SAVED.findall(page)
    assert len(lines) == 1, page
    return lines[0]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_rate_page_says_saved_the_same_way(login, image_and_check, htmx, settings):
    image, check = image_and_check
    client = login(DEMO_KEY)

    rated = _saved_line(client, image, htmx=htmx)
    checked = _saved_line(client, check, htmx=htmx)

    assert checked == rated
    assert "Saved: 7 · Good · artifacts 2" in rated
    assert f"+{settings.KUDOS_PER_RATING} kudos" in rated
    assert "Undo" in rated
    assert "check" not in rated


def test_a_repeated_submit_says_saved_the_same_way_artifacts_included(login, image_and_check):
    image, check = image_and_check
    client = login(DEMO_KEY)
    for target in (image, check):
        _saved_line(client, target, htmx=True)

    rated, checked = (_saved_line(client, target, htmx=True) for target in (image, check))

    assert checked == rated
    assert "Saved: 7 · Good · artifacts 2" in rated


def _ledger_rows(html: str) -> list[tuple[str, str]]:
    rows = re.findall(r'data-testid="ledger-for" data-kind="(\w+)">(.*?)</td>\s*<td class="num">(\d+)</td>', html, re.S)
    return [(kind, re.sub(r"<[^>]+>", "", text).strip(), amount) for kind, text, amount in rows]


def test_the_kudos_page_reads_the_same_for_both(login, image_and_check, settings):
    image, check = image_and_check
    client = login(DEMO_KEY)
    for target in (image, check):
        _saved_line(client, target, htmx=True)

    html = client.get("/kudos/").content.decode()

    line = ("rating", "Rating a dataset image (Test-Set, rated 7)", str(settings.KUDOS_PER_RATING))
    assert _ledger_rows(html) == [line, line]
    assert re.search(r'data-testid="kudos-ratings-total">2<', html)
    assert re.search(r'data-testid="kudos-ratings-today">2<', html)
    assert Dataset.objects.get(slug="checks").name not in html  # the check's own pool is never named
