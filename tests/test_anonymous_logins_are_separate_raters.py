"""Each login with the anonymous key 0000000000 is a rater of its own: its own ratings, queue and pauses.

It still earns nothing and is still anonymous (horde_id 0) for the ledger, the badge and the export.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY, csrf_token
from tests.helpers import rate_via_page


def _rate(client, image, rating: str):
    return client.post(f"/images/{image.public_id}/rate/", {"rating": rating, "csrfmiddlewaretoken": csrf_token(client)})


def test_two_anonymous_people_rate_the_same_image_and_both_ratings_count(login, make_images):
    (image,) = make_images(1)
    first, second = login(ANONYMOUS_KEY), login(ANONYMOUS_KEY)

    rate_via_page(first, image, 8)
    rate_via_page(second, image, 3)

    assert sorted(Rating.objects.filter(image=image).values_list("rating", flat=True)) == [3, 8]
    raters = Rater.objects.filter(horde_id=0)
    assert raters.count() == 2
    assert all(r.is_horde_anonymous and not r.earns_kudos for r in raters)
    assert KudosReward.objects.count() == 0


def test_a_pause_of_one_anonymous_rater_pauses_no_other(login, make_images):
    images = make_images(2)
    paused_client = login(ANONYMOUS_KEY)
    other = login(ANONYMOUS_KEY)
    paused = Rater.objects.filter(horde_id=0).order_by("pk").first()
    Rater.objects.filter(pk=paused.pk).update(
        paused_until=timezone.now() + timedelta(hours=1), pause_reason="Three failed captchas."
    )

    assert _rate(paused_client, images[0], "7").status_code in (302, 429)
    assert not Rating.objects.filter(rater=paused).exists()
    rate_via_page(other, images[0], 7)
    newcomer = login(ANONYMOUS_KEY)
    rate_via_page(newcomer, images[1], 6)
    assert Rating.objects.filter(rater__horde_id=0).count() == 2


def test_each_anonymous_rater_has_its_own_queue(login, make_images):
    (image,) = make_images(1)
    first, second = login(ANONYMOUS_KEY), login(ANONYMOUS_KEY)
    rate_via_page(first, image, 5)

    page = second.get("/rate/").content.decode()

    assert str(image.public_id) in page  # the image the other anonymous rater rated is still offered


def test_the_anonymous_rater_keeps_its_name_and_badge(login):
    client = login(ANONYMOUS_KEY)

    page = client.get("/rate/").content.decode()

    assert "anonymous · no kudos" in page
    assert Rater.objects.get(horde_id=0).username == "Anonymous#0"
