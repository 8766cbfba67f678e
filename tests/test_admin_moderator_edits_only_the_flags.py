"""A Horde moderator's image form changes the broken flag and nothing else: no file to upload, no check image or
answer, no dataset, URL or source, so that no moderator can plant a file the site serves, nor turn an image into a
check image with a wrong answer; hiding and NSFW are acts (the list's actions, the image page's panel), recorded and
undoable, never a bare change of the flag. A local superuser still edits the whole image."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ratings_site.datasets.models import Dataset, Image
from ratings_site.moderation.models import ModerationAction
from ratings_site.raters.models import Rater
from tests.conftest import csrf_token

MODERATOR_KEY = "demo-moderator-0003"
PLANTED = ("file", "is_captcha", "captcha_answer", "url", "dataset", "source")
LOOK_JS = b"fetch('/admin/raters/rater/1/change/', {method: 'POST'});"


@pytest.fixture
def image(make_images) -> Image:
    (image,) = make_images(1, source={"origin": "laion"})
    Dataset.objects.create(slug="other", name="Other")
    return image


def _everything_changed(client: Client, image: Image) -> dict:
    """A change form's POST that tries every field: the flags and what only an admin may change."""
    return {
        "csrfmiddlewaretoken": csrf_token(client),
        "dataset": Dataset.objects.get(slug="other").pk,
        "url": "https://images.example.org/elsewhere.jpg",
        "file": SimpleUploadedFile("look.js", LOOK_JS, content_type="text/javascript"),
        "caption": image.caption,
        "source": '{"planted": true}',
        "width": "",
        "height": "",
        "hidden": "on",
        "nsfw": "on",
        "broken": "on",
        "is_captcha": "on",
        "captcha_answer": "1",
        "shuffle": image.shuffle,
        "aesthetic_scores-TOTAL_FORMS": "0",
        "aesthetic_scores-INITIAL_FORMS": "0",
        "aesthetic_scores-MIN_NUM_FORMS": "0",
        "aesthetic_scores-MAX_NUM_FORMS": "1000",
    }


def test_a_moderators_change_form_offers_only_the_flags(login, image: Image) -> None:
    client = login(MODERATOR_KEY)

    response = client.get(f"/admin/datasets/image/{image.pk}/change/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) == {"broken"}
    page = response.content.decode()
    for name in PLANTED:
        assert f'name="{name}"' not in page, name
    assert 'enctype="multipart/form-data"' not in page


def test_a_moderators_post_changes_the_flags_and_nothing_else(login, image: Image) -> None:
    client = login(MODERATOR_KEY)

    response = client.post(f"/admin/datasets/image/{image.pk}/change/", _everything_changed(client, image))

    assert response.status_code == 302, response.content.decode()[:3000]
    changed = Image.objects.get(pk=image.pk)
    assert changed.broken
    assert not changed.hidden and not changed.nsfw  # acts, not form fields
    assert not changed.is_captcha and changed.captcha_answer is None
    assert not changed.file
    assert changed.url == image.url
    assert changed.dataset_id == image.dataset_id
    assert changed.source == {"origin": "laion"}


def test_a_moderator_still_hides_with_the_action_and_the_act_is_recorded(login, image: Image) -> None:
    client = login(MODERATOR_KEY)

    response = client.post(
        "/admin/datasets/image/",
        {"action": "hide_image", "_selected_action": [image.pk], "csrfmiddlewaretoken": csrf_token(client)},
    )

    assert response.status_code == 302
    assert Image.objects.get(pk=image.pk).hidden
    act = ModerationAction.objects.get(image=image)
    assert act.kind == ModerationAction.Kind.HIDE and act.actor.horde_id is not None


def test_a_superuser_still_edits_the_whole_image(db, image: Image, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(Rater.objects.create_superuser("root", "root@example.org", "pw"))
    assert {"file", "is_captcha", "captcha_answer", "url", "dataset", "source"} <= set(
        client.get(f"/admin/datasets/image/{image.pk}/change/").context["adminform"].form.fields
    )
    data = _everything_changed(client, image)
    del data["file"]  # not a picture: refused at upload (tests/test_admin_upload_refuses_non_images.py)

    response = client.post(f"/admin/datasets/image/{image.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    changed = Image.objects.get(pk=image.pk)
    assert changed.is_captcha and changed.captcha_answer == 1
    assert changed.url == "https://images.example.org/elsewhere.jpg"
    assert changed.dataset.slug == "other"
    assert changed.source == {"planted": True}
