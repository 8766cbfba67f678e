"""The rater page for moderators (moderation.admin_raters): its address, a Horde moderator logged in to the admin,
and a farmer who rated faster than anyone could look."""

from __future__ import annotations

from django.test import Client

from ratings_site.raters.models import Rater

MODERATOR_KEY = "demo-moderator-0003"


def page_of(rater: Rater) -> str:
    return f"/admin/raters/rater/{rater.pk}/change/"


def act_url(rater: Rater, act: str) -> str:
    return f"/admin/raters/rater/{rater.pk}/act/{act}/"


def admin_login(key: str = MODERATOR_KEY) -> Client:
    """A client (CSRF checks on) logged in through /admin/login/ with a Horde key."""
    client = Client(enforce_csrf_checks=True)
    token = client.get("/admin/login/").cookies["csrftoken"].value
    response = client.post("/admin/login/?next=/admin/", {"apikey": key, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
