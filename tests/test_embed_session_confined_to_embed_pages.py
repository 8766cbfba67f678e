"""A session made by an embed token counts only on the embedded pages (/embed/...) and the calls their pages make
(rate, skip, undo, pick, skip a group, dismiss the welcome, log out): on every other page (/rate/, /kudos/,
/ratings/, /generations/, /admin/, the home page) the browser holding it is nobody, by its cookie or by its
X-Embed-Session header (issue 20, point 3). Visiting such a page does not end the frame's session, and a session
made by the site's own login works everywhere as before."""

import pytest
from django.test import Client

from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.embed_token_helpers import ORIGIN, embed_session_of, open_frame, shown_image_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

SITE_PAGES = ["/rate/", "/rate/test-set/", "/kudos/", "/ratings/", "/generations/"]


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _is_sent_to_login(response, login: str = "/login/") -> bool:
    return response.status_code == 302 and response["Location"].startswith(login)


@pytest.mark.parametrize("path", SITE_PAGES)
def test_the_frames_cookie_opens_no_site_page(make_images, path):
    make_images(2)
    client, page = open_frame()
    assert page.status_code == 200

    assert _is_sent_to_login(client.get(path)), path


def test_the_frames_cookie_opens_no_admin_page(make_images):
    make_images(1)
    client, _ = open_frame()

    assert _is_sent_to_login(client.get("/admin/"), "/admin/login/")
    assert "DemoRater" not in client.get("/").content.decode()


@pytest.mark.parametrize("path", SITE_PAGES)
def test_the_frames_header_opens_no_site_page(make_images, path):
    make_images(2)
    _, page = open_frame()
    header = embed_session_of(page)

    assert _is_sent_to_login(Client().get(path, headers={"X-Embed-Session": header})), path
    htmx = Client().get(path, headers={"X-Embed-Session": header, "HX-Request": "true"})
    assert htmx.status_code in (302, 401) and "DemoRater" not in htmx.content.decode()


def test_the_frames_header_changes_no_rating_outside_the_frame(make_images):
    make_images(2)
    client, page = open_frame()
    rated = client.post(f"/images/{shown_image_id(page)}/rate/", {"rating": 6, "dataset": ""},
                        headers={"HX-Request": "true"})
    assert rated.status_code == 200
    rating = Rating.objects.get()

    answer = Client().post(f"/ratings/{rating.pk}/delete/", headers={"X-Embed-Session": embed_session_of(page)})

    assert answer.status_code in (302, 401, 403)
    assert Rating.objects.filter(pk=rating.pk).exists()


def test_the_frames_pages_and_calls_still_work_after_a_site_page_was_refused(make_images, settings):
    make_images(3)
    client, page = open_frame()
    first = shown_image_id(page)

    client.get("/kudos/")  # refused: sent to the login
    assert settings.SESSION_COOKIE_NAME in client.cookies and client.cookies[settings.SESSION_COOKIE_NAME].value

    by_cookie = client.post(f"/images/{first}/rate/", {"rating": 8, "dataset": ""}, headers={"HX-Request": "true"})
    second = shown_image_id(by_cookie)
    by_header = Client().post(f"/images/{second}/skip/", {"dataset": ""},
                              headers={"HX-Request": "true", "X-Embed-Session": embed_session_of(page)})
    undone = client.post("/ratings/undo/", {"dataset": ""}, headers={"HX-Request": "true"})

    assert by_cookie.status_code == 200 and by_header.status_code == 200 and undone.status_code == 200
    assert client.get("/embed/rate/").status_code == 200
    assert not Rating.objects.exists()  # rated, then undone: both calls were the frame's rater's


def test_a_site_login_still_opens_every_page(login, make_images):
    make_images(1)
    client = login(DEMO_KEY)

    for path in SITE_PAGES:
        assert client.get(path).status_code == 200, path
