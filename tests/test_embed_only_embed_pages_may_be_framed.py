"""Only /embed/ pages may be framed, and only by EMBED_ALLOWED_ORIGINS (CSP frame-ancestors, no X-Frame-Options):
a frame's session's pages, and the answer redeeming its token, by that session's origin only; every other page
keeps frame-ancestors 'none' and X-Frame-Options: DENY; the rest of the CSP (no inline script or style) is the
same on every page."""

import pytest
from django.test import Client

from tests.conftest import DEMO_KEY
from tests.embed_token_helpers import ORIGIN, OTHER_ORIGIN, open_frame

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

SITE_PAGES = ["/", "/login/", "/rate/", "/ratings/", "/kudos/", "/generations/", "/stats/", "/admin/login/",
              "/api/docs/", "/healthz"]


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def _assert_strict_csp(response):
    directives = _directives(response)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN, "http://127.0.0.1:8001"]


@pytest.mark.parametrize("path", SITE_PAGES)
def test_site_pages_may_not_be_framed_by_anyone(login, path):
    for client in (Client(), login(DEMO_KEY)):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert _directives(response)["frame-ancestors"] == "'none'", path
        _assert_strict_csp(response)


def test_embed_pages_may_be_framed_by_the_listed_origins_only(make_images):
    make_images(2, dataset="flowers")
    client, page = open_frame()

    for response, ancestors in ((page, [ORIGIN]), (client.get("/embed/rate/flowers/"), [ORIGIN]),
                                (Client().get("/embed/rate/"), [ORIGIN, "http://127.0.0.1:8001"])):
        assert "X-Frame-Options" not in response
        assert _directives(response)["frame-ancestors"].split() == ancestors
        assert OTHER_ORIGIN not in ancestors
        _assert_strict_csp(response)


def test_without_listed_origins_embed_pages_are_unframeable_too(settings, make_images):
    settings.EMBED_ALLOWED_ORIGINS = []
    make_images(1)

    response = Client().get("/embed/rate/")

    assert response["X-Frame-Options"] == "DENY"
    assert _directives(response)["frame-ancestors"] == "'none'"


def test_an_embedded_page_has_no_inline_script_or_style(make_images):
    make_images(2)
    _, page = open_frame()
    html = page.content.decode()

    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert " onclick=" not in html.lower()
