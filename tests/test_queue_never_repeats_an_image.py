"""A rater never sees an image again once they rated, skipped or reported it."""

import itertools
import re

from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import next_image_for, next_images_for
from ratings_site.ratings.services import rate_image, skip_image
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
UPCOMING = re.compile(r'name="upcoming" value="([^"]*)"')


def _shown(html: str) -> str | None:
    found = SHOWN.search(html)
    return found.group(1) if found else None


def test_rating_skipping_and_reporting_through_the_service_never_repeats_an_image(login, make_images):
    images = make_images(12)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    actions = itertools.cycle(["rate", "skip", "report"])

    seen: list[int] = []
    while (image := next_image_for(rater)) is not None:
        assert image.pk not in seen, f"image {image.pk} served again after {seen}"
        seen.append(image.pk)
        assert len(seen) <= len(images)
        action = next(actions)
        if action == "rate":
            rate_image(rater=rater, image=image, rating=7, artifacts=1)
        elif action == "skip":
            skip_image(rater=rater, image=image)
        else:
            skip_image(rater=rater, image=image, reason="watermark")

    assert sorted(seen) == sorted(image.pk for image in images)
    assert next_images_for(rater) == []
    page = client.get("/rate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing left to rate" in html
    assert _shown(html) is None


def test_what_one_rater_passed_over_is_still_served_to_another(login, make_images):
    images = make_images(3)
    login(DEMO_KEY)
    login(SECOND_KEY)
    first, second = Rater.objects.get(horde_id=1001), Rater.objects.get(horde_id=1006)
    rate_image(rater=first, image=images[0], rating=5)
    skip_image(rater=first, image=images[1])
    skip_image(rater=first, image=images[2], reason="nsfw")

    assert next_image_for(first) is None
    served = {image.pk for image in next_images_for(second, count=10)}
    assert served == {image.pk for image in images}


def test_rating_skipping_and_reporting_through_the_pages_never_repeats_an_image(login, make_images):
    images = make_images(9)
    client = login(DEMO_KEY)
    actions = itertools.cycle(
        [{"rating": "8", "artifacts": "0"}, {"_skip": True}, {"_skip": True, "reason": "broken"}]
    )

    seen: list[str] = []
    page = client.get("/rate/")
    while (shown := _shown(page.content.decode())) is not None:
        assert shown not in seen, f"image {shown} served again after {seen}"
        seen.append(shown)
        assert len(seen) <= len(images)
        upcoming = UPCOMING.search(page.content.decode()).group(1)
        form = dict(next(actions))
        path = f"/images/{shown}/skip/" if form.pop("_skip", False) else f"/images/{shown}/rate/"
        response = client.post(path, {**form, "upcoming": upcoming, "csrfmiddlewaretoken": csrf_token(client)})
        assert response.status_code == 302, response.content.decode()[:500]
        page = client.get(response["Location"])
        assert page.status_code == 200

    assert sorted(seen) == sorted(str(image.public_id) for image in images)
    assert "Nothing left to rate" in page.content.decode()
