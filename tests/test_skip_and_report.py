"""Skipping takes an image out of this rater's queue only; a report also counts once for moderators."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.ratings.models import Rating, Skip
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import in_queue

PATHS = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
SUCCESS = {True: 200, False: 302}


pytestmark = pytest.mark.usefixtures("no_captchas")


def _skip(client: Client, image: Image, *, htmx: bool = False, **data):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/skip/"
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _shown_image_id(client: Client) -> str | None:
    match = re.search(r'data-testid="image" data-image-id="([0-9a-f-]+)"', client.get("/rate/").content.decode())
    return match.group(1) if match else None


@PATHS
def test_a_skip_leaves_this_raters_queue_but_not_others(login, make_images, htmx):
    (image,) = make_images(1)
    me, other = login(DEMO_KEY), login(SECOND_KEY)
    assert _shown_image_id(me) == _shown_image_id(other) == str(image.public_id)

    response = _skip(me, image, htmx=htmx)

    assert response.status_code == SUCCESS[htmx]
    assert _shown_image_id(me) is None
    assert 'data-testid="empty"' in me.get("/rate/").content.decode()
    assert _shown_image_id(other) == str(image.public_id)
    skip = Skip.objects.get(image=image)
    assert skip.rater.horde_id == 1001
    assert skip.reason == Skip.Reason.SKIPPED
    image.refresh_from_db()
    assert image.reports_count == 0
    assert in_queue(image) is True
    assert Rating.objects.count() == 0


@PATHS
@pytest.mark.parametrize("reason", ["broken", "nsfw", "watermark", "other"])
def test_a_report_stores_its_reason_and_counts_once(login, make_images, htmx, reason):
    (image,) = make_images(1)
    client = login(DEMO_KEY)

    first = _skip(client, image, htmx=htmx, reason=reason)
    second = _skip(client, image, htmx=htmx, reason=reason)

    assert first.status_code == SUCCESS[htmx]
    assert second.status_code == SUCCESS[htmx]
    skip = Skip.objects.get(image=image)
    assert skip.reason == reason
    assert skip.is_report
    image.refresh_from_db()
    assert image.reports_count == 1
    assert _shown_image_id(client) is None


def test_a_report_says_thanks(login, make_images):
    (image,) = make_images(1)
    client = login(DEMO_KEY)

    response = _skip(client, image, htmx=True, reason="nsfw")

    assert "Thanks for the report" in response.content.decode()


def test_reports_from_two_raters_count_twice(login, make_images):
    (image,) = make_images(1)
    _skip(login(DEMO_KEY), image, reason="broken")
    _skip(login(SECOND_KEY), image, reason="watermark")

    image.refresh_from_db()
    assert image.reports_count == 2
    assert sorted(Skip.objects.values_list("reason", flat=True)) == ["broken", "watermark"]


def test_a_report_after_a_skip_does_not_count(login, make_images):
    # One entry per rater and image: the first choice stays, so a report after a skip is not counted.
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    _skip(client, image)

    _skip(client, image, reason="nsfw")

    image.refresh_from_db()
    assert image.reports_count == 0
    assert Skip.objects.get(image=image).reason == Skip.Reason.SKIPPED


@PATHS
@pytest.mark.parametrize("reason", ["spam", "SKIPPED ", "nsfw'--"])
def test_an_invalid_reason_is_400_with_a_message(login, make_images, htmx, reason):
    (image,) = make_images(1)
    client = login(DEMO_KEY)

    response = _skip(client, image, htmx=htmx, reason=reason)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a reason for the report: broken, NSFW, watermark or other." in page
    assert f'data-image-id="{image.public_id}"' in page  # the same image stays
    assert Skip.objects.count() == 0
    image.refresh_from_db()
    assert image.reports_count == 0


@PATHS
def test_skipping_an_unknown_image_is_404(login, make_images, htmx):
    make_images(1)
    client = login(DEMO_KEY)

    response = client.post(
        "/images/00000000-0000-4000-8000-000000000000/skip/",
        {"csrfmiddlewaretoken": csrf_token(client)},
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert response.status_code == 404
    assert Skip.objects.count() == 0
