"""An image is in the queue exactly while it wants ratings: moderation and RATINGS_PER_IMAGE move it in and out."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import images_wanting_ratings, next_image_for
from tests.helpers import in_queue, priority_of


def _admin_action(client: Client, action: str, images: list[Image]) -> None:
    response = client.post(
        "/admin/datasets/image/",
        {"action": action, "_selected_action": [image.pk for image in images]},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_hiding_in_the_admin_takes_images_out_of_the_queue_and_unhiding_puts_them_back(moderator_client, make_images):
    hidden, kept = make_images(2, priority=0.9), make_images(1, priority=0.1)
    rater = Rater.objects.create(username="Fresh#7000", horde_id=7000)
    assert next_image_for(rater) in hidden

    _admin_action(moderator_client, "hide_image", hidden)

    assert [in_queue(image) for image in hidden + kept] == [False, False, True]
    assert next_image_for(rater) == kept[0]
    assert images_wanting_ratings() == 1

    _admin_action(moderator_client, "unhide_image", hidden)

    assert [in_queue(image) for image in hidden] == [True, True]
    assert [priority_of(image) for image in hidden] == [0.0, 0.0]  # until the predictor sets it again
    assert images_wanting_ratings() == 3


def test_the_admin_image_list_filters_by_queue_membership(moderator_client, make_images):
    [queued] = make_images(1)
    [nsfw] = make_images(1, nsfw=True)

    listed_in = moderator_client.get("/admin/datasets/image/", {"in_queue": "1"}).content.decode()
    listed_out = moderator_client.get("/admin/datasets/image/", {"in_queue": "0"}).content.decode()

    assert str(queued.public_id) in listed_in and str(nsfw.public_id) not in listed_in
    assert str(nsfw.public_id) in listed_out and str(queued.public_id) not in listed_out


def test_refresh_queue_follows_a_changed_ratings_per_image(make_images, settings):
    settings.RATINGS_PER_IMAGE = 3
    [two_ratings] = make_images(1, ratings_count=2)
    [three_ratings] = make_images(1, ratings_count=3)
    assert (in_queue(two_ratings), in_queue(three_ratings)) == (True, False)

    settings.RATINGS_PER_IMAGE = 4
    out = StringIO()
    call_command("refresh_queue", stdout=out)
    assert (in_queue(two_ratings), in_queue(three_ratings)) == (True, True)
    assert "1 images entered it, 0 left it" in out.getvalue()

    settings.RATINGS_PER_IMAGE = 2
    call_command("refresh_queue", stdout=out)
    assert (in_queue(two_ratings), in_queue(three_ratings)) == (False, False)
