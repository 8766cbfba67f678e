"""POST /ratings/undo/ (the rate page's U key and Undo button): with htmx it answers the card of the undone image
with what was chosen; as a plain form it redirects to the rate page showing that image; with nothing to undo it
says so (404), and another rater's rating is never touched."""

from __future__ import annotations

import re

import pytest

from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import rate_via_page

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')


pytestmark = pytest.mark.usefixtures("no_captchas")


def test_htmx_undo_answers_the_card_of_the_undone_image_with_its_choices(login, make_images):
    images = make_images(3)
    client = login(DEMO_KEY)
    rate_via_page(client, images[0], rating=9, artifacts=3)

    response = client.post("/ratings/undo/", {}, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})

    assert response.status_code == 200
    card = response.content.decode()
    assert SHOWN.search(card).group(1) == str(images[0].public_id)
    assert re.search(r'name="rating" value="9"\s+checked', card)
    assert re.search(r'name="artifacts" value="3"\s+checked', card)
    assert "Undone: your rating 9 · Excellent · artifacts 3 · Mildly harmful was taken back; its 5 kudos were cancelled." in card
    assert not Rating.objects.exists()


def test_plain_undo_redirects_to_the_rate_page_showing_the_image(login, make_images):
    images = make_images(3)
    client = login(DEMO_KEY)
    rate_via_page(client, images[1], rating=4)

    response = client.post("/ratings/undo/", {"csrfmiddlewaretoken": csrf_token(client)})

    assert response.status_code == 302
    assert response["Location"].startswith("/rate/?next=")  # signed for this rater (ratings.cards)
    page = client.get(response["Location"]).content.decode()
    assert SHOWN.search(page).group(1) == str(images[1].public_id)
    assert "Undone: your rating 4 · Poor was taken back" in page


def test_nothing_to_undo_is_said_and_another_raters_rating_stays(login, make_images):
    images = make_images(3)
    other = login(SECOND_KEY)
    rate_via_page(other, images[0], rating=6)
    client = login(DEMO_KEY)

    response = client.post("/ratings/undo/", {}, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})

    assert response.status_code == 404
    assert "Nothing to undo" in response.content.decode()
    assert Rating.objects.count() == 1
