"""The image the page preloaded (`upcoming`) is the one shown next, while it is still eligible."""

import re
from urllib.parse import urlencode

from ratings_site.datasets.models import Dataset
from ratings_site.raters.models import Rater
from ratings_site.ratings.cards import upcoming_from
from ratings_site.ratings.selectors import next_images_for
from ratings_site.ratings.services import rate_image, skip_image
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import upcoming_id

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
UPCOMING = re.compile(r'name="upcoming" value="([^"]*)"')
PRELOAD = re.compile(r'<link rel="preload" as="image" href="([^"]+)" data-testid="preload">')


def _rater(n: int) -> Rater:
    return Rater.objects.create(username=f"Preload#{8000 + n}", horde_id=8000 + n)


def test_the_preferred_image_is_served_first_when_eligible(make_images):
    images = make_images(20)
    rater = _rater(1)

    # Images of equal priority come in random order: without `prefer` each would be first 1 time in 20.
    for image in images:
        assert next_images_for(rater, prefer=image.public_id)[0] == image


def test_the_preferred_image_is_not_served_once_the_rater_passed_it(make_images):
    rated, skipped, reported = make_images(3)
    rater = _rater(2)
    rate_image(rater=rater, image=rated, rating=5)
    skip_image(rater=rater, image=skipped)
    skip_image(rater=rater, image=reported, reason="other")

    for image in (rated, skipped, reported):
        assert next_images_for(rater, prefer=image.public_id) == []


def test_the_preferred_image_is_not_served_once_it_is_full_or_outside_the_dataset(make_images, settings):
    settings.RATINGS_PER_IMAGE = 1
    [full] = make_images(1)
    [elsewhere] = make_images(1, dataset="elsewhere")
    others = make_images(3)
    rate_image(rater=_rater(3), image=full, rating=5)
    rater = _rater(4)

    served = next_images_for(rater, prefer=full.public_id, count=10)
    assert full not in served

    in_test_set = next_images_for(rater, dataset=Dataset.objects.get(slug="test-set"), prefer=elsewhere.public_id, count=10)
    assert sorted(i.pk for i in in_test_set) == sorted(i.pk for i in others)


def test_the_page_shows_the_image_it_preloaded_after_each_rating(login, make_images):
    images = make_images(20)
    by_id = {str(image.public_id): image for image in images}
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)

    page = client.get("/rate/")
    for _ in range(6):
        html = page.content.decode()
        shown, token = SHOWN.search(html).group(1), UPCOMING.search(html).group(1)
        upcoming = upcoming_id(html, rater)
        assert upcoming and upcoming != shown
        assert PRELOAD.search(html).group(1) == by_id[upcoming].src

        response = client.post(
            f"/images/{shown}/rate/",
            {"rating": "7", "upcoming": token, "csrfmiddlewaretoken": csrf_token(client)},
        )
        assert response.status_code == 302
        assert response["Location"] == f"/rate/?{urlencode({'next': token})}"
        page = client.get(response["Location"])
        assert SHOWN.search(page.content.decode()).group(1) == upcoming


def test_htmx_rating_and_skipping_swap_in_the_preloaded_image(login, make_images):
    make_images(20)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()

    rater = Rater.objects.get(horde_id=1001)
    for action in ("rate", "skip", "rate", "skip"):
        shown, upcoming = SHOWN.search(html).group(1), UPCOMING.search(html).group(1)
        form = {"rating": "3"} if action == "rate" else {}
        response = client.post(
            f"/images/{shown}/{action}/",
            {**form, "upcoming": upcoming, "csrfmiddlewaretoken": csrf_token(client)},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert SHOWN.search(html).group(1) == str(upcoming_from(upcoming, rater))


def test_a_stale_next_parameter_is_ignored(login, make_images):
    images = make_images(5)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    rate_image(rater=rater, image=images[0], rating=4)

    page = client.get(f"/rate/?next={images[0].public_id}")

    assert page.status_code == 200
    assert SHOWN.search(page.content.decode()).group(1) in {str(i.public_id) for i in images[1:]}
    assert client.get("/rate/?next=not-a-uuid").status_code == 200
