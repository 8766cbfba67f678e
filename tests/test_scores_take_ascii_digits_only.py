"""Scores are ASCII digits: "١٠" (Arabic-Indic ten), "７" (full-width seven) or "1_0" are refused with a clear
400 and the rater's entry kept on the card, never stored as a rating."""

from __future__ import annotations

import pytest

from ratings_site.ratings.models import Rating
from ratings_site.ratings.scales import InvalidScore, parse_score
from tests.conftest import DEMO_KEY, csrf_token

NOT_ASCII = ["١٠", "٧", "７", "𝟕", "1_0", "٣", "²"]


pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.mark.parametrize("value", NOT_ASCII)
def test_parse_score_refuses_digits_that_are_not_ascii(value):
    with pytest.raises(InvalidScore, match="must be a whole number from 1 to 10"):
        parse_score(value, name="rating", low=1, high=10, required=True)


@pytest.mark.parametrize(("value", "number"), [("7", 7), (" 10 ", 10), ("07", 7), (7, 7), (7.0, 7)])
def test_parse_score_takes_ascii_digits_and_json_numbers(value, number):
    assert parse_score(value, name="rating", low=1, high=10, required=True) == number


def test_a_negative_number_says_the_range():
    with pytest.raises(InvalidScore, match="must be from 1 to 10, not -1"):
        parse_score("-1", name="rating", low=1, high=10, required=True)


@pytest.mark.parametrize("field", ["rating", "artifacts"])
@pytest.mark.parametrize("value", ["١٠", "٣"])
def test_the_rate_page_answers_400_and_stores_nothing(login, make_images, field, value):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    data = {"rating": "7", "artifacts": "2", field: value}

    response = client.post(
        f"/images/{image.public_id}/rate/", {**data, "csrfmiddlewaretoken": csrf_token(client)}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "must be a whole number from" in page
    assert f'data-image-id="{image.public_id}"' in page, "the same image stays, to be rated again"
    assert Rating.objects.count() == 0
