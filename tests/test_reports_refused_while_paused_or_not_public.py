"""A paused rater cannot skip or report (a pause stops every rating decision, and reports feed moderation), and
nobody can skip or report an image of a dataset that is not public: each is refused with a clear message and
stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Skip
from ratings_site.ratings.services import ImageUnavailable, RatingPaused, skip_image
from tests.conftest import DEMO_KEY, csrf_token

PATHS = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
REASONS = pytest.mark.parametrize("reason", ["skipped", "nsfw", "other"])


pytestmark = pytest.mark.usefixtures("no_captchas")


def _skip(client: Client, image: Image, *, htmx: bool, **data):
    token = csrf_token(client)
    url = f"/images/{image.public_id}/skip/"
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _pause(horde_id: int) -> Rater:
    Rater.objects.filter(horde_id=horde_id).update(
        paused_until=timezone.now() + timedelta(minutes=5), pause_reason="You missed 3 check images."
    )
    return Rater.objects.get(horde_id=horde_id)


@PATHS
@REASONS
def test_a_paused_rater_cannot_report_or_skip(login, make_images, htmx, reason):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    rater = _pause(1001)

    response = _skip(client, image, htmx=htmx, reason=reason, note="looks odd")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Rating is paused." in page
    assert "You missed 3 check images." in page
    at = timezone.localtime(rater.paused_until).strftime("%H:%M:%S") + " UTC"
    assert at in page
    assert Skip.objects.count() == 0
    image.refresh_from_db()
    assert image.reports_count == 0


@PATHS
@REASONS
def test_an_image_of_a_dataset_that_is_not_public_cannot_be_reported_or_skipped(login, make_images, htmx, reason):
    make_images(1)  # a public image, so that the card has another one to show
    (hidden_set_image,) = make_images(1, dataset="private-set")
    Dataset.objects.filter(slug="private-set").update(public=False)
    client = login(DEMO_KEY)

    response = _skip(client, hidden_set_image, htmx=htmx, reason=reason)

    assert response.status_code == 404
    page = response.content.decode()
    assert "This image is no longer being rated." in page
    assert f'data-image-id="{hidden_set_image.public_id}"' not in page, "the image is not shown again"
    assert Skip.objects.count() == 0
    hidden_set_image.refresh_from_db()
    assert hidden_set_image.reports_count == 0


def test_the_service_refuses_both(make_images, db):
    (image,) = make_images(1)
    (private,) = make_images(1, dataset="private-set")
    Dataset.objects.filter(slug="private-set").update(public=False)
    private.refresh_from_db()
    rater = Rater.objects.create(username="Someone#77", horde_id=77)

    with pytest.raises(ImageUnavailable):
        skip_image(rater=rater, image=private, reason="nsfw")
    rater.paused_until, rater.pause_reason = timezone.now() + timedelta(minutes=1), "A pause."
    rater.save()
    with pytest.raises(RatingPaused, match="A pause. You can rate again at"):
        skip_image(rater=rater, image=image, reason="nsfw")
    assert Skip.objects.count() == 0


def test_after_the_pause_a_report_is_taken(login, make_images):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    Rater.objects.filter(horde_id=1001).update(paused_until=timezone.now() - timedelta(seconds=1), pause_reason="x")

    response = _skip(client, image, htmx=False, reason="nsfw")

    assert response.status_code == 302
    assert Skip.objects.get(image=image).reason == "nsfw"
