"""Pages and htmx cards are gzipped for a client that asks (ratings_site/compression.py), and, against BREACH, the CSRF
token in two successive card answers differs (masked afresh each time) while both still pass the CSRF check."""

from __future__ import annotations

import gzip
import re

import pytest

from tests.conftest import DEMO_KEY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def _card_fields(html: str) -> dict[str, str]:
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("card", "upcoming")}


def _rate_url(html: str) -> str:
    return re.search(r'hx-post="(/images/[^"]+/rate/)"', html).group(1)


def test_a_card_answer_is_gzipped_and_its_csrf_token_changes(login, make_images):
    client = login(DEMO_KEY)
    make_images(4)
    page = client.get("/rate/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    html = gzip.decompress(page.content).decode()

    answers = []
    for rating in ("6", "7"):
        [token] = _tokens(html)  # the form's token, which the browser posts
        response = client.post(
            _rate_url(html),
            {"rating": rating, "csrfmiddlewaretoken": token, **_card_fields(html)},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_ENCODING="gzip",
        )
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert len(response.content) < len(gzip.decompress(response.content)) / 3
        html = gzip.decompress(response.content).decode()
        assert "Saved: " + rating in html
        answers.append(_tokens(html))

    first, second = answers
    assert first and second
    assert first.isdisjoint(second)


def test_an_answer_is_plain_for_a_client_that_does_not_ask(login, make_images):
    client = login(DEMO_KEY)
    make_images(1)
    response = client.get("/rate/")
    assert not response.has_header("Content-Encoding")
    assert 'id="card"' in response.content.decode()
