"""An embed token signs its rater in only inside a frame on the token's own origin (issue 20, point 3).

The attacker's link `/embed/rate/?token=<attacker's token>` opened as a page (Sec-Fetch-Dest: document), fetched by
a script, or framed by another origin than the token's, is refused with a page that says so: no session, nobody
signed in, the victim's next page is the login. Framed on the token's origin it opens as before, and the answer
may be framed by that origin only (CSP frame-ancestors), so the browser itself holds the frame to it. A browser
that sends no Sec-Fetch-Dest (an old one) must show the token's origin as the Referer."""

import pytest
from django.test import Client

from tests.embed_token_helpers import ORIGIN, OTHER_ORIGIN, framed_by, new_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

ATTACKER = "https://attacker.example"


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN, OTHER_ORIGIN]


def _open(headers: dict[str, str]) -> tuple[Client, object]:
    client = Client()
    return client, client.get(f"/embed/rate/?token={new_token(ORIGIN)}", headers=headers)


def _frame_ancestors(response) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == "frame-ancestors":
            return words[1:]
    raise AssertionError("no frame-ancestors")


def _assert_nobody_signed_in(client: Client, page, settings) -> None:
    assert page.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in page.cookies
    assert "DemoRater" not in page.content.decode()
    for path in ("/rate/", "/kudos/"):
        after = client.get(path)
        assert after.status_code == 302 and after["Location"].startswith("/login/"), path


def test_a_link_opened_as_a_page_signs_nobody_in(settings, make_images):
    make_images(1)
    client, page = _open({"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"})

    _assert_nobody_signed_in(client, page, settings)
    assert "only inside the app" in page.content.decode()


def test_a_link_followed_from_another_site_signs_nobody_in(settings, make_images):
    make_images(1)
    client, page = _open({"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate",
                          "Sec-Fetch-Site": "cross-site", "Referer": f"{ATTACKER}/mail"})

    _assert_nobody_signed_in(client, page, settings)


def test_a_script_fetching_the_link_signs_nobody_in(settings, make_images):
    make_images(1)
    client, page = _open({"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "cross-site"})

    _assert_nobody_signed_in(client, page, settings)


@pytest.mark.parametrize("framer", [OTHER_ORIGIN, ATTACKER])
def test_a_frame_on_another_origin_than_the_tokens_is_refused(settings, make_images, framer):
    make_images(1)
    client, page = _open(framed_by(framer))

    _assert_nobody_signed_in(client, page, settings)
    assert "another site" in page.content.decode()


def test_a_frame_on_the_tokens_origin_opens_and_only_that_origin_may_frame_it(make_images):
    make_images(1)
    client, page = _open(framed_by(ORIGIN))

    assert page.status_code == 200
    assert "DemoRater#1001" in page.content.decode()
    assert _frame_ancestors(page) == [ORIGIN]  # not OTHER_ORIGIN, though it is listed too
    later = client.get("/embed/rate/")
    assert later.status_code == 200
    assert _frame_ancestors(later) == [ORIGIN]


def test_a_frame_whose_page_sends_no_referrer_opens_and_the_browser_checks_its_ancestor(make_images):
    make_images(1)
    headers = framed_by(ORIGIN)
    del headers["Referer"]  # the client page's referrer policy is no-referrer

    _, page = _open(headers)

    assert page.status_code == 200
    assert _frame_ancestors(page) == [ORIGIN]


def test_a_browser_without_fetch_metadata_needs_the_tokens_origin_as_referer(settings, make_images):
    make_images(1)

    _, framed = _open({"Referer": f"{ORIGIN}/app"})
    client, unknown = _open({})

    assert framed.status_code == 200
    _assert_nobody_signed_in(client, unknown, settings)


def test_a_refused_link_leaves_the_token_for_its_frame(make_images):
    make_images(1)
    token = new_token(ORIGIN)

    top_level = Client().get(f"/embed/rate/?token={token}", headers={"Sec-Fetch-Dest": "document"})
    framed = Client().get(f"/embed/rate/?token={token}", headers=framed_by(ORIGIN))

    assert top_level.status_code == 403
    assert framed.status_code == 200
