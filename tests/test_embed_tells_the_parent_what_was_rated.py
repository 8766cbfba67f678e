"""An embedded page announces each rating, best-of pick and generation set submission to the app around it:
{"type": "horde-ratings:rated", "image_id" | "request_id", "reward", "kudos_total"} — in the htmx answer's
HX-Trigger header, or in a full page's data-embed-events; the site's own pages announce nothing."""

import html
import json
import re

import pytest
from django.test import Client

from ratings_site.demo.standin import DEMO_SET_FOUR
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, csrf_token
from tests.embed_token_helpers import ORIGIN, embed_session_of, open_frame, shown_image_id
from tests.helpers import run_worker
from tests.intake_helpers import forwarding_horde, horde_address_listed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]
    settings.KUDOS_PER_RATING = 5
    settings.KUDOS_PER_BEST_PICK = 5


def _trigger(response) -> dict:
    return json.loads(response["HX-Trigger"])["horde-ratings:rated"]


@pytest.mark.django_db
def test_each_rating_is_announced_with_its_reward_and_the_running_total(make_images):
    make_images(3)
    client, page = open_frame()
    header = {"HX-Request": "true", "X-Embed-Session": embed_session_of(page)}
    first = shown_image_id(page)

    answer = client.post(f"/images/{first}/rate/", {"rating": 8, "dataset": ""}, headers=header)
    second = shown_image_id(answer)
    again = client.post(f"/images/{second}/rate/", {"rating": 4, "artifacts": 2, "dataset": ""}, headers=header)

    assert _trigger(answer) == {"type": "horde-ratings:rated", "image_id": first, "reward": 5, "kudos_total": 5}
    assert _trigger(again) == {"type": "horde-ratings:rated", "image_id": second, "reward": 5, "kudos_total": 10}


@pytest.mark.django_db
def test_a_best_of_pick_is_announced():
    (only,) = make_prompt_groups(1, size=3)
    client, page = open_frame("/embed/rate/best-set/best/")
    assert page.status_code == 200
    winner = only.images[1]

    answer = client.post(
        f"/rate/best-set/best/{only.group.pk}/pick/", {"winner": str(winner.public_id)},
        headers={"HX-Request": "true", "X-Embed-Session": embed_session_of(page)},
    )

    assert answer.status_code == 200
    assert _trigger(answer) == {
        "type": "horde-ratings:rated", "image_id": str(winner.public_id), "reward": 5, "kudos_total": 5,
    }


@pytest.mark.django_db(transaction=True)
def test_a_generation_set_submission_is_announced_once_the_horde_answered(forwarding_horde):
    """The Horde forwards the set to our intake, whose forward names the rater as its owner: the reward counts.
    The page saves and answers at once; the worker sends the set, and the page's poll that sees the answer
    announces it (in HX-Trigger, with HX-Refresh to show it)."""
    horde = forwarding_horde
    client, page = open_frame(f"/embed/generations/{DEMO_SET_FOUR}/")
    assert page.status_code == 200
    ids = horde.generation_ids(DEMO_SET_FOUR)
    form = {"csrfmiddlewaretoken": csrf_token(client), "embed_session": embed_session_of(page), "best": "",
            f"rating-{ids[0]}": "8", f"rating-{ids[1]}": "5", "confirmed": "1"}

    answer = Client().post(f"/embed/generations/{DEMO_SET_FOUR}/", form)  # a cookieless browser: the field only

    assert answer.status_code == 200  # the page itself, not a redirect out of the frame
    text = answer.content.decode()
    assert "Saved; sending to the Horde" in text
    assert json.loads(html.unescape(re.search(r'data-embed-events="([^"]*)"', text).group(1))) == []
    headers = {"HX-Request": "true", "X-Embed-Session": embed_session_of(page)}
    poll = f"/embed/generations/{DEMO_SET_FOUR}/?poll=1"
    assert Client().get(poll, headers=headers).status_code == 204  # still on its way: nothing to say

    run_worker()
    told = Client().get(poll, headers=headers)

    assert told["HX-Refresh"] == "true"
    assert _trigger(told) == {"type": "horde-ratings:rated", "request_id": DEMO_SET_FOUR, "reward": 10, "kudos_total": 10}


@pytest.mark.django_db
def test_the_sites_own_pages_announce_nothing(login, make_images):
    make_images(2)
    client = login(DEMO_KEY)
    image = re.search(r'data-image-id="([0-9a-f-]{36})"', client.get("/rate/").content.decode()).group(1)

    answer = client.post(f"/images/{image}/rate/", {"rating": 8, "dataset": ""},
                         headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})

    assert answer.status_code == 200
    assert "HX-Trigger" not in answer
    assert "data-embed-events" not in answer.content.decode()


@pytest.mark.django_db
def test_a_missed_check_image_and_a_repeated_submit_announce_nothing(make_images, settings):
    settings.CAPTCHA_RATE = 1.0
    make_images(2, dataset="flowers")
    [check] = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    client, page = open_frame()
    header = {"HX-Request": "true", "X-Embed-Session": embed_session_of(page)}
    assert shown_image_id(page) == str(check.public_id)

    missed = client.post(f"/images/{check.public_id}/rate/", {"rating": 3, "dataset": ""}, headers=header)
    settings.CAPTCHA_RATE = 0.0
    image = shown_image_id(missed)
    first = client.post(f"/images/{image}/rate/", {"rating": 6, "dataset": ""}, headers=header)
    repeated = client.post(f"/images/{image}/rate/", {"rating": 6, "dataset": ""}, headers=header)

    assert missed.status_code == 200 and "HX-Trigger" not in missed
    assert _trigger(first)["image_id"] == image
    assert "HX-Trigger" not in repeated
