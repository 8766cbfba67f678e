"""Nothing on the rate page tells a captcha from a dataset image before it is answered: its URL is named as the
dataset's files are, its alt text and caption read as a dataset image's do, and the card's markup (down to
"N images left · this one from <dataset>") is the same once each image's own values are set aside."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils.html import escape
from PIL import Image as PILImage

from ratings_site.datasets.captchas import make_captchas
from ratings_site.datasets.management.commands.seed_demo import ensure_demo_images
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from tests.conftest import DEMO_KEY, csrf_token
from tests.picture_files import media  # noqa: F401  (a fixture)

IMAGE_ID = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]+)"')


@pytest.fixture
def demo(db, demo_pictures_drawn_once):
    dataset, _ = ensure_demo_images(4)
    return dataset


def _photos_dataset() -> Dataset:
    """A public dataset imported from a folder: files named images/<slug>/<sha256>.jpg, 640x480, as the importer stores them.
    Its tests take `media` (a MEDIA_ROOT of their own): the same two pictures saved earlier in the same test process
    would be stored under another name, which is what the captcha's name is compared with."""
    dataset = Dataset.objects.create(slug="photos", name="Holiday photos", public=True)
    for colour in ("red", "blue"):
        buffer = io.BytesIO()
        PILImage.new("RGB", (640, 480), colour).save(buffer, "JPEG")
        data = buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        name = default_storage.save(f"images/photos/{digest}.jpg", ContentFile(data))
        Image.objects.create(dataset=dataset, file=name, dedupe_key=digest, caption=f"a {colour} wall", width=640, height=480)
    refresh_queue(Image.objects.filter(dataset=dataset))
    return dataset


def _shown(page: str) -> Image:
    return Image.objects.get(public_id=IMAGE_ID.search(page).group(1))


def _card_shape(page: str, images: list[Image]) -> str:
    """The card's markup with each image's own values (id, file, caption) and the CSRF tokens set aside."""
    card = page[page.index('<section id="card"') : page.index("</section>", page.index('id="zoom"'))]
    for n, image in enumerate(images):
        for value in (str(image.public_id), image.display_src, image.src):
            card = card.replace(value, f"{{image{n}}}")
        card = card.replace(escape(image.caption), f"{{caption{n}}}")
    card = re.sub(r'name="(upcoming|card)" value="[^"]+"', r'name="\1" value="{signed}"', card)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", card)


def _upcoming(page: str) -> list[Image]:
    """The image the card preloads (its upcoming one), found by its rendition's address."""
    found = re.search(r'<link rel="preload" as="image" href="([^"]+)"', page)
    if not found:
        return []
    return [image for image in Image.objects.all() if image.display_src == found.group(1)]


def test_a_captcha_is_named_like_the_demo_pictures_beside_them(demo):
    captchas = make_captchas(6)

    demo_names = list(demo.images.values_list("file", flat=True))
    demo_shape = {re.sub(r"[0-9]", "0", name) for name in demo_names}
    assert demo_shape == {"demo/demo-000.png"}
    numbers = sorted(int(name[-7:-4]) for name in demo_names)
    for captcha in captchas:
        assert re.sub(r"[0-9]", "0", captcha.file.name) in demo_shape, captcha.file.name
        # Numbered among the pictures, not above the last (tests/test_demo_check_names_within_the_dataset_range.py).
        assert numbers[0] <= int(captcha.file.name[-7:-4]) <= numbers[-1], (numbers, captcha.file.name)
        assert captcha.caption and not re.search(rf"(?<![0-9]){captcha.captcha_answer}(?![0-9])", captcha.caption)
        assert "captcha" not in captcha.caption.lower() and "rate this" not in captcha.caption.lower()
        assert (captcha.width, captcha.height) == (768, 768)
        assert captcha.source == {"poses_as": demo.pk}


def test_a_captcha_beside_imported_files_is_named_by_its_own_hash_in_their_format_and_size(db, media):
    photos = _photos_dataset()

    captchas = make_captchas(3)

    for captcha in captchas:
        match = re.fullmatch(r"images/photos/([0-9a-f]{64})\.jpg", captcha.file.name)
        assert match, captcha.file.name
        data = default_storage.open(captcha.file.name).read()
        assert hashlib.sha256(data).hexdigest() == match.group(1) == captcha.dedupe_key
        with PILImage.open(io.BytesIO(data)) as picture:
            assert (picture.format, picture.size) == ("JPEG", (640, 480))
        assert (captcha.width, captcha.height) == (640, 480)
        assert captcha.source == {"poses_as": photos.pk}


def test_the_card_of_a_captcha_is_the_card_of_a_dataset_image(login, demo, settings):
    make_captchas(4)
    client: Client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 0.0
    plain = client.get("/rate/").content.decode()
    settings.CAPTCHA_RATE = 1.0
    checked = client.get("/rate/").content.decode()

    captcha, image = _shown(checked), _shown(plain)
    assert captcha.is_captcha and not image.is_captcha
    assert _card_shape(checked, [captcha, *_upcoming(checked)]) == _card_shape(plain, [image, *_upcoming(plain)])
    assert re.search(r"\d+ images left for you · this one from Demo images", checked)
    tag = re.search(r'<img src="([^"]+)" alt="([^"]*)" data-testid="image"', checked)
    assert tag.groups() == (captcha.display_src, escape(captcha.caption))
    assert captcha.display_src.startswith("/renditions/display/demo/demo-")
    assert f"<figcaption title=\"{escape(captcha.caption)}\">" in checked
    assert "captcha" not in checked.lower()
    shown = client.get(captcha.display_src)
    assert shown.status_code == 200 and shown["Content-Type"] == client.get(image.display_src)["Content-Type"]


def test_rating_one_dataset_serves_a_captcha_that_passes_for_that_dataset(login, demo, settings, media):
    photos = _photos_dataset()
    make_captchas(4)  # spread over both datasets
    settings.CAPTCHA_RATE = 1.0
    client = login(DEMO_KEY)

    for slug, folder in (("photos", "images/photos/"), ("demo", "demo/")):
        captcha = _shown(client.get(f"/rate/{slug}/").content.decode())
        assert captcha.is_captcha
        assert captcha.file.name.startswith(folder)
        assert captcha.source["poses_as"] == Dataset.objects.get(slug=slug).pk
        # Answered (a skip: a miss), or it would be shown again first on the next card, whatever the dataset.
        client.post(f"/images/{captcha.public_id}/skip/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert photos.public
