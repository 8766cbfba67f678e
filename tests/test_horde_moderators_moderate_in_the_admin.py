"""A rater whom the Horde calls a moderator logs in to /admin/ with their Horde key and may moderate;
they lose it as soon as a login finds the Horde no longer says so."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from ratings_site.demo.standin import DEMO_KEYS
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY

MODERATOR_KEY = "demo-moderator-0003"


def _admin_login(key: str) -> tuple[Client, object]:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/admin/login/?next=/admin/")
    token = page.cookies["csrftoken"].value
    return client, client.post("/admin/login/?next=/admin/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_the_admin_login_page_asks_for_a_horde_key(db):
    page = Client().get("/admin/login/").content.decode()

    assert 'name="apikey"' in page
    assert "Horde API key" in page


def test_a_moderator_key_opens_the_admin_with_moderator_rights(db, make_images):
    (image,) = make_images(1)

    client, response = _admin_login(MODERATOR_KEY)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    rater = Rater.objects.get(horde_id=1003)
    assert rater.is_staff and not rater.is_superuser
    assert list(rater.groups.values_list("name", flat=True)) == ["moderators"]
    for url in ("/admin/", "/admin/datasets/image/", f"/admin/datasets/image/{image.pk}/change/",
                "/admin/ratings/rating/", "/admin/ratings/skip/", "/admin/raters/rater/", "/stats/"):
        assert client.get(url).status_code == 200, url
    assert rater.has_perm("datasets.change_image")  # hide/unhide and NSFW are changes of an image
    assert not rater.has_perm("raters.change_rater")
    assert not rater.has_perm("datasets.delete_image")


def test_a_moderator_may_hide_and_mark_nsfw(db, make_images):
    (image,) = make_images(1)
    client, _ = _admin_login(MODERATOR_KEY)

    response = client.post(
        "/admin/datasets/image/",
        {"action": "hide_image", "_selected_action": [image.pk], "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.hidden


def test_an_ordinary_key_is_refused_at_the_admin_with_a_message(db):
    client, response = _admin_login(DEMO_KEY)

    assert response.status_code == 200
    assert "not a moderator" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_rater_login_makes_a_moderator_staff_too(db, login):
    client = login(MODERATOR_KEY)

    assert client.get("/admin/datasets/image/").status_code == 200


def test_a_moderator_whom_the_horde_no_longer_calls_one_loses_the_rights(db, horde, login):
    login(MODERATOR_KEY)
    horde.add_user(MODERATOR_KEY, DEMO_KEYS[MODERATOR_KEY] | {"moderator": False})

    client, _ = _admin_login(MODERATOR_KEY)

    rater = Rater.objects.get(horde_id=1003)
    assert not rater.is_staff
    assert not rater.groups.exists()
    assert client.get("/admin/").status_code == 302
    assert Group.objects.filter(name="moderators").exists()


def test_a_local_superuser_still_logs_in_with_a_password(db):
    Rater.objects.create_superuser("root", "root@example.org", "pw")
    client = Client(enforce_csrf_checks=True)
    token = client.get("/admin/login/").cookies["csrftoken"].value

    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "pw", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
