"""From the reports queue a moderator hides, tags or dismisses in one POST each (moderation.actions, the image's
reports resolved), comes back to the queue told what was done with an Undo button, and the Undo reverses it. A Horde
moderator and a local superuser can; a plain rater cannot reach the queue, and a staff account without the right
is refused (403). A form no page sends is answered 400."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.moderation.models import ImageTag, ModerationAction
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Skip
from tests.conftest import DEMO_KEY, MODERATOR_KEY, admin_login, csrf_token
from tests.moderation_helpers import horde_rater, report

QUEUE = "/admin/moderation/reports/"



@pytest.fixture(params=["horde_moderator", "superuser"])
def moderator(request, db) -> Client:
    if request.param == "horde_moderator":
        return admin_login(MODERATOR_KEY)
    client = Client(enforce_csrf_checks=True)
    client.force_login(Rater.objects.create_superuser("local-admin", "admin@example.org", "pw"))
    return client


def _post(client: Client, url: str, **data):
    return client.post(url, {"csrfmiddlewaretoken": csrf_token(client), **data})


def _act(client: Client, image: Image, act: str, **data):
    """Press the queue's button `act` for the image, as the page's form sends it, and follow back to the queue."""
    queue = client.get(QUEUE).content.decode()
    assert f'action="/admin/moderation/images/{image.pk}/act/"' in queue
    response = _post(client, f"/admin/moderation/images/{image.pk}/act/", act=act, next=QUEUE, **data)
    assert response.status_code == 302 and response["Location"].startswith(QUEUE + "?done=")
    return client.get(response["Location"]).content.decode()


def _undo(client: Client, html: str) -> str:
    url = re.search(r'action="(/admin/moderation/acts/\d+/undo/)"', html).group(1)
    response = _post(client, url, next=QUEUE)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def _open_reports(image: Image) -> int:
    return Skip.objects.filter(image=image, resolved_at__isnull=True).exclude(reason="skipped").count()


def _reported(make_images) -> Image:
    (image,) = make_images(1)
    report(horde_rater(), image, "nsfw", "nudity")
    report(horde_rater(), image, "watermark")
    return image


def test_hide_leaves_the_queue_and_undo_brings_it_back(moderator, make_images):
    image = _reported(make_images)

    html = _act(moderator, image, "hide", reason="From the reports queue")

    assert Image.objects.get(pk=image.pk).hidden and _open_reports(image) == 0
    assert "Done: hide an image" in html and "2 reports resolved" in html
    assert f'data-image="{image.public_id}"' not in html
    act = ModerationAction.objects.get(image=image, kind="hide")
    assert act.actor is not None

    html = _undo(moderator, html)

    assert "Undone: hide an image" in html
    assert not Image.objects.get(pk=image.pk).hidden and _open_reports(image) == 2
    assert f'data-image="{image.public_id}"' in html


def test_tag_nsfw_marks_and_resolves_and_undo_removes_it(moderator, make_images):
    image = _reported(make_images)

    html = _act(moderator, image, "tag", tag="nsfw")

    assert Image.objects.get(pk=image.pk).nsfw and ImageTag.objects.filter(image=image, tag="nsfw").exists()
    assert _open_reports(image) == 0 and "Done: tag an image" in html
    _undo(moderator, html)
    assert not Image.objects.get(pk=image.pk).nsfw and not ImageTag.objects.filter(image=image).exists()
    assert _open_reports(image) == 2


def test_dismiss_resolves_the_reports_and_leaves_the_image(moderator, make_images):
    image = _reported(make_images)

    html = _act(moderator, image, "dismiss")

    assert _open_reports(image) == 0 and not Image.objects.get(pk=image.pk).hidden
    assert "Done: resolve reports" in html and f'data-image="{image.public_id}"' not in html
    _undo(moderator, html)
    assert _open_reports(image) == 2


def test_a_refused_act_says_why(moderator, make_images):
    image = _reported(make_images)
    _act(moderator, image, "hide")

    response = _post(moderator, f"/admin/moderation/images/{image.pk}/act/", act="hide", next=QUEUE)

    assert response.status_code == 302
    assert "This image is already hidden." in moderator.get(response["Location"]).content.decode()


def test_bad_forms_are_answered_400(moderator, make_images):
    image = _reported(make_images)
    url = f"/admin/moderation/images/{image.pk}/act/"

    assert _post(moderator, url, act="delete").status_code == 400
    assert _post(moderator, url, act="invalidate", rating="12345", reason="spam").status_code == 400
    assert moderator.get(QUEUE, {"page": "zero"}).status_code == 400
    assert _post(moderator, "/admin/moderation/images/999999/act/", act="hide").status_code == 404
    assert not Image.objects.get(pk=image.pk).hidden


def test_the_admin_home_links_to_the_queue(moderator):
    assert f'href="{QUEUE}"' in moderator.get("/admin/").content.decode()


def test_a_plain_rater_cannot_reach_the_queue_nor_act(login, make_images):
    image = _reported(make_images)
    client = login(DEMO_KEY)

    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = _post(client, f"/admin/moderation/images/{image.pk}/act/", act="hide")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not Image.objects.get(pk=image.pk).hidden


def test_staff_without_the_right_is_refused(make_images):
    image = _reported(make_images)
    client = Client()
    client.force_login(Rater.objects.create(username="helper", is_staff=True))

    assert client.get(QUEUE).status_code == 403
    assert client.post(f"/admin/moderation/images/{image.pk}/act/", {"act": "hide"}).status_code == 403
    assert "Reports queue" not in client.get("/admin/").content.decode()
    assert not Image.objects.get(pk=image.pk).hidden
