"""An htmx request whose session has ended is sent to the login page as a whole page, not swapped into the card."""

from tests.conftest import DEMO_KEY, csrf_token


def test_it_answers_hx_redirect_to_login_when_the_session_ended(login, make_images):
    image = make_images(1)[0]
    client = login(DEMO_KEY)
    token = csrf_token(client)
    client.cookies.pop("sessionid")
    response = client.post(
        f"/images/{image.public_id}/rate/", {"rating": "7", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login/")
    assert image.ratings.count() == 0


def test_it_asks_htmx_to_reload_when_the_csrf_token_is_missing(login, make_images):
    image = make_images(1)[0]
    client = login(DEMO_KEY)
    response = client.post(f"/images/{image.public_id}/rate/", {"rating": "7"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert "Nothing was saved" in response.content.decode()
    assert image.ratings.count() == 0
