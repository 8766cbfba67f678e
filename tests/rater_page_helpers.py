"""The rater page for moderators (moderation.admin_raters): its address, a Horde moderator logged in to the admin,
and a farmer who rated faster than anyone could look."""

from __future__ import annotations

from django.test import Client

from ratings_site.raters.models import Rater


def page_of(rater: Rater) -> str:
    return f"/admin/raters/rater/{rater.pk}/change/"


def act_url(rater: Rater, act: str) -> str:
    return f"/admin/raters/rater/{rater.pk}/act/{act}/"



def post(client: Client, url: str, data: dict):
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
