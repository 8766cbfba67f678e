"""The rate card's scales, tags, report buttons and keys' help are rendered once for a card with nothing entered and
reused (ratings.views._card_part): a card that comes back with what the rater entered (an error, an undo) shows
their choices, and the next blank card shows none of them, whichever came first. The image a rating names is read
compiled once (ratings.views._image_with_dataset, a OneRowQuery): it must read as the ORM reads it, on both engines."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db.models import Model

from ratings_site.datasets.models import Image
from ratings_site.ratings.views import _image_with_dataset
from tests.check_helpers import card_form, shown_on
from tests.conftest import SECOND_KEY, csrf_token

pytestmark = pytest.mark.usefixtures("no_captchas")


def _checked(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<input type="(?:radio|checkbox)" name="(rating|artifacts|tags)" value="([a-z_0-9]+)" checked>', html
    )


def _post_card(client, html: str, **entered) -> str:
    image = shown_on(html)
    data = {**card_form(html, image), **entered}
    response = client.post(
        f"/images/{image.public_id}/rate/", data, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)}
    )
    return response.content.decode()


def test_a_card_shown_again_keeps_the_choices_and_the_next_card_has_none(login, make_images) -> None:
    make_images(4)
    client = login()
    html = client.get("/rate/").content.decode()
    assert _checked(html) == []

    again = _post_card(client, html, rating="", artifacts="2", tags=["text"])  # no rating: the same card, as entered
    assert 'data-testid="error"' in again
    assert _checked(again) == [("artifacts", "2"), ("tags", "text")]

    again = _post_card(client, again, rating="4", artifacts="", tags=["nope"])  # an unknown tag: the same card
    assert _checked(again) == [("rating", "4")]

    following = _post_card(client, again, rating="8", artifacts="1")
    assert "Saved: 8" in following
    assert _checked(following) == []
    assert _checked(client.get("/rate/").content.decode()) == []


def test_an_undone_rating_comes_back_chosen_for_its_rater_only(login, make_images) -> None:
    make_images(3)
    first, second = login(), login(SECOND_KEY)
    html = first.get("/rate/").content.decode()
    _post_card(first, html, rating="9", artifacts="3")

    undone = first.post(
        "/ratings/undo/", {"dataset": ""}, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(first)}
    ).content.decode()
    assert _checked(undone) == [("rating", "9"), ("artifacts", "3")]
    assert _checked(second.get("/rate/").content.decode()) == []


def _fields(instance: Model) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_rated_image_is_read_with_its_dataset_as_the_orm_reads_it(make_images, django_assert_num_queries) -> None:
    (image,) = make_images(1, nsfw=True, width=640, height=480, tag_counts={"nsfw": 2, "text": 1})
    by_orm = Image.objects.select_related("dataset").get(public_id=image.public_id)

    with django_assert_num_queries(1):
        by_hand = _image_with_dataset(image.public_id)
        dataset = by_hand.dataset  # loaded with it: no second query

    assert _fields(by_hand) == _fields(by_orm)
    assert {name: type(value) for name, value in _fields(by_hand).items()} == {
        name: type(value) for name, value in _fields(by_orm).items()
    }
    assert _fields(dataset) == _fields(by_orm.dataset)
    assert {name: type(value) for name, value in _fields(dataset).items()} == {
        name: type(value) for name, value in _fields(by_orm.dataset).items()
    }
    assert by_hand._state.adding is False and by_hand._state.db == by_orm._state.db
    assert by_hand == by_orm and by_hand.created_at.tzinfo is not None


def test_an_unknown_image_reads_as_none(db) -> None:
    assert _image_with_dataset(uuid.UUID("00000000-0000-4000-8000-000000000000")) is None
