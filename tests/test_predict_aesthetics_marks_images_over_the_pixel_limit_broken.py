"""predict_aesthetics marks an image over MAX_IMAGE_PIXELS broken (a file or a URL), from its header,
without decoding it; the others are scored. (A small limit here: a real 12000 × 12000 image would cost
the old code gigabytes.)"""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture

from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.predictor.models import AestheticScore
from tests.image_servers import serving
from tests.predictor_fixtures import predict, predictor_dirs, seed_demo, summary  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Picture.new("RGB", size, "olive").save(out, format="PNG")
    return out.getvalue()


def _image(dataset: Dataset, *, file: str = "", url: str = "") -> Image:
    image = Image.objects.create(
        dataset=dataset, file=file, url=url, dedupe_key=hashlib.sha256((file or url).encode()).hexdigest()
    )
    refresh_queue(Image.objects.filter(pk=image.pk))
    return image


def test_images_over_the_pixel_limit_are_marked_broken_and_the_rest_scored(predictor_dirs, settings):
    settings.MAX_IMAGE_PIXELS = 1_000_000
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the URL's server is on 127.0.0.1
    good = seed_demo(2)  # 768 px pictures: under the limit
    demo = Dataset.objects.get(slug="demo")
    too_large = png((1200, 900))
    as_file = _image(demo, file=default_storage.save("demo/too-large.png", ContentFile(too_large)))
    with serving("127.0.0.1", body=too_large) as server:
        by_url = _image(demo, url=server.url("/too-large.png"))

        output = predict(batch_size=4)

    assert (summary(output)["scored"], summary(output)["broken"]) == (2, 2), output
    for image in (as_file, by_url):
        image.refresh_from_db()
        assert image.broken
        reason = re.search(rf"broken: image {image.pk}: (.*)", output).group(1)
        assert reason.startswith("TooManyPixelsError: 1200×900 is 1.1 MP, over MAX_IMAGE_PIXELS (1.0 MP)"), reason
    assert sorted(AestheticScore.objects.values_list("image_id", flat=True)) == [image.pk for image in good]
