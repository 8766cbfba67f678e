"""A rater who hides NSFW images (Rater.hide_nsfw) is not served the images that NSFW_HIDE_TAGS raters tagged NSFW
or whose LAION punsafe is NSFW_HIDE_PUNSAFE or more: not on the rate page, not through the API's rating/new, not in
"images left". Off by default; others see those images as before; check images are served to them as to anyone.
refresh_queue keeps each entry's flag in step, in a fixed number of statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image, QueueEntry
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import images_left_for, next_image_for, next_images_for
from ratings_site.ratings.services import record_served
from ratings_site.ratings.tags import set_tags
from tests.check_helpers import plain_checks, shown_on
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate
from tests.test_import_dataset_laion_parquet import run_import, write_laion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]

DEMO_HORDE_ID = 1001  # the stand-in Horde's id for DEMO_KEY


def _tag(image: Image, **tag_counts: int) -> None:
    """The counts ratings.tags keeps when raters tag an image (set_tags), and the refresh that follows."""
    Image.objects.filter(pk=image.pk).update(tag_counts=tag_counts)
    refresh_queue(Image.objects.filter(pk=image.pk))


def _rater(name: str, *, hide_nsfw: bool) -> Rater:
    return Rater.objects.create(username=name, horde_id=int(name.split("#")[1]), hide_nsfw=hide_nsfw)


def _served(rater: Rater, *, draws: int = 20, dataset=None) -> set[int]:
    """Every image the queue offered this rater over a few draws (the pick among near-equals is random)."""
    return {image.pk for _ in range(draws) for image in next_images_for(rater, dataset=dataset, count=10)}


@pytest.fixture
def top_nsfw(make_images):
    """Two plain images, and above them an image two raters tagged NSFW: first in line for anyone who sees it."""
    plain = make_images(2, dataset="flowers", priority=0.0)
    [tagged] = make_images(1, dataset="flowers", priority=9.0)
    _tag(tagged, nsfw=2)
    return tagged, plain


def test_it_is_off_by_default_and_then_the_tagged_image_comes_first(top_nsfw):
    tagged, _ = top_nsfw
    rater = Rater.objects.create(username="Newcomer#1", horde_id=7)

    assert rater.hide_nsfw is False
    assert next_image_for(rater) == tagged
    assert images_left_for(rater) == 3


def test_an_image_tagged_nsfw_by_enough_raters_is_never_served_to_a_rater_who_hides_them(top_nsfw):
    tagged, plain = top_nsfw
    hider = _rater("Hider#1", hide_nsfw=True)

    assert _served(hider) == {image.pk for image in plain}
    assert images_left_for(hider) == 2
    assert QueueEntry.objects.get(image=tagged).nsfw  # still in the queue, for the others


def test_one_rater_tagging_nsfw_is_not_enough_two_are(make_images, settings):
    assert settings.NSFW_HIDE_TAGS == 2
    [image] = make_images(1)
    hider = _rater("Hider#1", hide_nsfw=True)
    first, second = _rater("Tagger#2", hide_nsfw=False), _rater("Tagger#3", hide_nsfw=False)

    set_tags(first, image, ["nsfw", "watermark"])

    assert next_image_for(hider) == image

    set_tags(second, image, ["nsfw"])

    assert next_image_for(hider) is None
    assert images_left_for(hider) == 0
    assert next_image_for(first) == image  # they tagged it, not rated it; and they see NSFW images

    set_tags(first, image, ["watermark"])  # changed their mind

    assert next_image_for(hider) == image


@pytest.mark.parametrize(
    "punsafe,hidden",
    [(0.93, True), (0.2, True), (0.35, True), (0.19, False), (0.0, False), (None, False), ("0.9", False)],
    ids=["0.93", "at-the-threshold", "0.35", "just-under", "zero", "null", "text-not-a-number"],
)
def test_a_laion_punsafe_at_or_over_the_threshold_hides_the_image(make_images, settings, punsafe, hidden):
    assert settings.NSFW_HIDE_PUNSAFE == 0.2
    [image] = make_images(1, source={"punsafe": punsafe, "pwatermark": 0.1})
    hider, viewer = _rater("Hider#1", hide_nsfw=True), _rater("Viewer#2", hide_nsfw=False)

    assert (next_image_for(hider) is None) is hidden
    assert next_image_for(viewer) == image
    assert QueueEntry.objects.get(image=image).nsfw is hidden


def test_a_laion_import_flags_the_rows_its_punsafe_makes_unsafe(tmp_path):
    source = write_laion(tmp_path / "part-00000.parquet", count=4, punsafe=[0.01, 0.3, 0.7, None])
    run_import("LAION sample", str(source))
    hider = _rater("Hider#1", hide_nsfw=True)

    served = {Image.objects.get(pk=pk).url for pk in _served(hider, draws=5)}

    # 0.7 is over the import's threshold (0.5): no one gets it; 0.3 only those who see NSFW images.
    assert served == {"https://laion.example.org/0.jpg", "https://laion.example.org/3.jpg"}
    assert QueueEntry.objects.get(image__url="https://laion.example.org/1.jpg").nsfw
    assert images_left_for(_rater("Viewer#2", hide_nsfw=False)) == 3


def test_changed_thresholds_take_effect_with_refresh_queue(make_images, settings):
    [risky] = make_images(1, source={"punsafe": 0.3})
    [tagged] = make_images(1, tag_counts={"nsfw": 2})
    hider = _rater("Hider#1", hide_nsfw=True)
    assert images_left_for(hider) == 0

    settings.NSFW_HIDE_PUNSAFE, settings.NSFW_HIDE_TAGS = 0.4, 3
    refresh_queue()

    assert _served(hider, draws=5) == {risky.pk, tagged.pk}
    assert not QueueEntry.objects.filter(nsfw=True).exists()


def test_the_flags_of_many_images_are_set_in_a_fixed_number_of_statements(make_images):
    few, many = make_images(2, dataset="few"), make_images(40, dataset="many")
    counts = []
    for images in (few, many):
        Image.objects.filter(pk__in=[image.pk for image in images]).update(tag_counts={"nsfw": 4})
        with CaptureQueriesContext(connection) as queries:
            refresh_queue(Image.objects.filter(pk__in=[image.pk for image in images]))
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert QueueEntry.objects.filter(nsfw=True).count() == 42


def test_an_untagged_image_comes_back(top_nsfw):
    tagged, _ = top_nsfw
    hider = _rater("Hider#1", hide_nsfw=True)
    assert tagged.pk not in _served(hider)

    _tag(tagged, nsfw=1)  # a tagger's ratings stopped counting, say: one tag left

    assert next_image_for(hider) == tagged
    assert images_left_for(hider) == 3


def test_the_dataset_page_queue_leaves_them_out_too(make_images):
    make_images(2, dataset="cities", priority=5.0)
    flowers = make_images(2, dataset="flowers")
    _tag(flowers[0], nsfw=3)
    dataset = flowers[0].dataset
    hider = _rater("Hider#1", hide_nsfw=True)

    assert _served(hider, dataset=dataset) == {flowers[1].pk}
    assert images_left_for(hider, dataset=dataset) == 1


def test_the_rate_page_never_shows_them(top_nsfw, login):
    tagged, plain = top_nsfw
    client = login(DEMO_KEY)
    assert shown_on(client.get("/rate/").content.decode()) == tagged  # off by default
    Rater.objects.filter(horde_id=DEMO_HORDE_ID).update(hide_nsfw=True)

    shown = {shown_on(client.get("/rate/").content.decode()) for _ in range(10)}

    assert shown <= set(plain)


def test_the_apis_rating_new_honours_it(top_nsfw):
    tagged, plain = top_nsfw
    assert api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()["id"] == str(tagged.public_id)  # off by default
    Rater.objects.filter(horde_id=DEMO_HORDE_ID).update(hide_nsfw=True)

    served = []
    for _ in plain:
        body = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()
        served.append(body["id"])
        assert api_rate(body["id"], {"rating": 6}, apikey=DEMO_KEY).status_code == 201
    nothing_left = api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert sorted(served) == sorted(str(image.public_id) for image in plain)
    assert nothing_left.status_code == 404
    assert "no more images" in nothing_left.json()["message"]


def test_check_images_and_a_pending_check_are_served_as_to_anyone(top_nsfw, settings):
    _, plain = top_nsfw
    [check] = plain_checks(1)
    hider = _rater("Hider#1", hide_nsfw=True)

    settings.CAPTCHA_RATE = 1.0  # every answer draws a check
    assert check in next_images_for(hider, count=3)
    record_served(hider, check)  # a card showed it
    settings.CAPTCHA_RATE = 0.0
    first, *others = next_images_for(hider, count=3)

    assert first == check  # pending: shown again before anything else
    assert set(others) == set(plain)
