"""The rate card offers the five tags (watermark, text, NSFW, broken, not an artwork) as checkboxes of the rating's own
form: they are stored with the rating, by the plain form (no JavaScript) as by htmx, and counted on the image. A bad
tag saves nothing and keeps what the rater entered; a refused rating keeps the chosen tags; a check image takes tags
as any image does (stored as any image's); an undone rating takes its tags with it."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import RaterTag, Rating
from tests.check_helpers import plain_checks, shown_on
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token


def _post(client, image: Image, data: dict, *, htmx: bool = False):
    token = csrf_token(client)
    if htmx:
        return client.post(
            f"/images/{image.public_id}/rate/", data, headers={"HX-Request": "true", "X-CSRFToken": token}
        )
    return client.post(f"/images/{image.public_id}/rate/", {**data, "csrfmiddlewaretoken": token})


def _stored(image: Image) -> list[tuple[int, str]]:
    return sorted(RaterTag.objects.filter(image=image).values_list("rater__horde_id", "tag"))


def _checked_tags(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="tags" value="([a-z_]+)" checked>', html)


@pytest.mark.usefixtures("no_captchas")
def test_the_card_offers_the_five_tags_inside_the_rating_form(login, make_images) -> None:
    make_images(1)
    html = login().get("/rate/").content.decode()

    form = html[html.index('<form id="rate-form"') : html.index("</form>", html.index('<form id="rate-form"'))]
    assert re.findall(r'<input type="checkbox" name="tags" value="([a-z_]+)"', form) == [
        "watermark",
        "text",
        "nsfw",
        "broken",
        "not_artwork",
    ]
    for label in ("Watermark", "Text", "NSFW", "Broken", "Not an artwork"):
        assert f'<span class="lbl">{label}</span>' in form
    assert _checked_tags(html) == []  # nothing chosen on a new card


@pytest.mark.usefixtures("no_captchas")
def test_the_plain_form_stores_the_tags_with_the_rating_and_counts_them(login, make_images) -> None:
    (image,) = make_images(1)
    first, second = login(DEMO_KEY), login(SECOND_KEY)

    response = _post(first, image, {"rating": "7", "tags": ["watermark", "nsfw"]})
    assert response.status_code == 302
    assert any("Saved: 7" in str(m) for m in get_messages(response.wsgi_request))
    assert _post(second, image, {"rating": "5", "artifacts": "2", "tags": ["nsfw"]}).status_code == 302

    assert _stored(image) == [(1001, "nsfw"), (1001, "watermark"), (1006, "nsfw")]
    image.refresh_from_db()
    assert image.tag_counts == {"watermark": 1, "nsfw": 2}
    assert Rating.objects.filter(image=image).count() == 2


@pytest.mark.usefixtures("no_captchas")
def test_the_status_line_names_the_tags_saved_with_the_rating(login, make_images) -> None:
    first, second = make_images(2)
    client = login()

    said = [
        str(m) for m in get_messages(_post(client, first, {"rating": "7", "tags": ["nsfw", "watermark"]}).wsgi_request)
    ]
    assert said[-1] == "Saved: 7 · Good · tagged Watermark, NSFW · +5 kudos."
    said = [str(m) for m in get_messages(_post(client, second, {"rating": "4"}).wsgi_request)]
    assert said[-1] == "Saved: 4 · Poor · +5 kudos."


@pytest.mark.usefixtures("no_captchas")
def test_htmx_stores_the_tags_and_the_next_card_starts_with_none_chosen(login, make_images) -> None:
    first, _ = make_images(2)
    client = login()

    response = _post(client, first, {"rating": "8", "tags": ["text", "broken", "text"]}, htmx=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved: 8" in html
    assert shown_on(html) != first
    assert _checked_tags(html) == []
    assert _stored(first) == [(1001, "broken"), (1001, "text")]
    first.refresh_from_db()
    assert first.tag_counts == {"text": 1, "broken": 1}


@pytest.mark.usefixtures("no_captchas")
def test_a_rating_without_tags_stores_none(login, make_images) -> None:
    (image,) = make_images(1)
    assert _post(login(), image, {"rating": "6"}).status_code == 302
    assert _stored(image) == []
    image.refresh_from_db()
    assert image.tag_counts == {}


@pytest.mark.usefixtures("no_captchas")
@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
def test_an_unknown_tag_saves_nothing_and_keeps_what_was_entered(login, make_images, htmx: bool) -> None:
    (image,) = make_images(1)

    response = _post(login(), image, {"rating": "7", "artifacts": "1", "tags": ["text", "sparkly"]}, htmx=htmx)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown tag &#x27;sparkly&#x27;" in html
    assert "watermark, text, nsfw, broken, not_artwork" in html
    assert shown_on(html) == image  # the same card, with what the rater entered
    assert re.search(r'name="rating" value="7"\s+checked', html)
    assert re.search(r'name="artifacts" value="1"\s+checked', html)
    assert _checked_tags(html) == ["text"]
    assert not Rating.objects.exists()
    assert not RaterTag.objects.exists()


@pytest.mark.usefixtures("no_captchas")
def test_a_refused_rating_stores_no_tag_and_keeps_the_chosen_ones(login, make_images) -> None:
    (image,) = make_images(1)

    response = _post(login(), image, {"rating": "11", "tags": ["watermark", "not_artwork"]}, htmx=True)

    assert response.status_code == 400
    html = response.content.decode()
    assert shown_on(html) == image
    assert _checked_tags(html) == ["watermark", "not_artwork"]
    assert not RaterTag.objects.exists()


@pytest.mark.usefixtures("no_captchas")
def test_the_rating_that_starts_a_flood_pause_keeps_its_tags(login, make_images, settings) -> None:
    settings.RATINGS_PER_MINUTE_MAX = 1
    (image,) = make_images(1)

    assert _post(login(), image, {"rating": "7", "tags": ["text"]}).status_code == 302

    assert Rater.objects.get(horde_id=1001).paused_until is not None
    assert _stored(image) == [(1001, "text")]


def test_a_check_image_takes_tags_as_any_image_does(login, make_images, settings) -> None:
    settings.CAPTCHA_RATE = 1.0
    (check,) = plain_checks(1)
    client = login()
    assert shown_on(client.get("/rate/").content.decode()) == check

    response = _post(client, check, {"rating": str(check.captcha_answer), "tags": ["watermark", "nsfw"]})

    assert response.status_code == 302  # answered as a rating with tags is: saved, no word about the tags
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(said) == 1 and said[0].startswith(f"Saved: {check.captcha_answer}"), said
    assert sorted(RaterTag.objects.filter(image=check).values_list("tag", flat=True)) == ["nsfw", "watermark"]
    check.refresh_from_db()
    assert check.tag_counts == {"watermark": 1, "nsfw": 1}  # as any image's: nothing tells a check apart


@pytest.mark.usefixtures("no_captchas")
def test_an_undone_rating_takes_its_tags_with_it(login, make_images) -> None:
    first, _ = make_images(2)
    client = login()
    _post(client, first, {"rating": "8", "tags": ["text", "nsfw"]}, htmx=True)
    first.refresh_from_db()
    assert first.tag_counts == {"text": 1, "nsfw": 1}

    response = client.post("/ratings/undo/", headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})

    assert response.status_code == 200
    html = response.content.decode()
    assert shown_on(html) == first
    assert _checked_tags(html) == []  # shown again unchosen, as every image's would be
    assert _stored(first) == []
    first.refresh_from_db()
    assert first.tag_counts == {}

    _post(client, first, {"rating": "8", "tags": ["text"]}, htmx=True)  # rated again, tagged again
    assert _stored(first) == [(1001, "text")]
