"""predict_aesthetics never fetches an image URL that leads to an internal address: not directly
(127.0.0.1, localhost, 127.1, [::1], 0.0.0.0, 169.254.169.254), nor through a redirect from an
allowed host. Such images are marked broken with the reason, and the internal server gets no request.
ALLOW_PRIVATE_IMAGE_URLS (true, or the networks it lists) lets tests and a demo fetch from 127.0.0.1."""

from __future__ import annotations

import hashlib
import re
from contextlib import ExitStack

import pytest

from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.predictor.models import AestheticScore
from tests.image_servers import ImageServer, ipv6_loopback_available, serving
from tests.predictor_fixtures import predict, predictor_dirs, seed_demo, summary  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _image(dataset: Dataset, url: str) -> Image:
    image = Image.objects.create(dataset=dataset, url=url, dedupe_key=hashlib.sha256(url.encode()).hexdigest())
    refresh_queue(Image.objects.filter(pk=image.pk))  # as an import would
    return image


def _reason(output: str, image: Image) -> str:
    match = re.search(rf"broken: image {image.pk}: (.*)", output)
    assert match, f"image {image.pk} ({image.url}) is not reported broken:\n{output}"
    return match.group(1)


def _internal_urls(inside: ImageServer, inside_v6: ImageServer | None, outside: ImageServer) -> dict[str, str]:
    urls = {
        "127.0.0.1": inside.url("/direct.png"),
        "localhost": inside.url("/localhost.png", host="localhost"),
        "127.1": inside.url("/short-form.png", host="127.1"),
        "0.0.0.0": inside.url("/unspecified.png", host="0.0.0.0"),  # Linux connects it to this machine
        "169.254.169.254": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "a redirect to 127.0.0.1": outside.url("/redirects-inside.png"),
    }
    if inside_v6 is not None:
        urls["[::1]"] = inside_v6.url("/v6.png")
    return urls


def test_urls_leading_to_internal_addresses_are_marked_broken_and_never_fetched(predictor_dirs, settings):
    # 127.0.0.2 stands for a public image host (allowed by name); everything else internal is refused.
    settings.ALLOW_PRIVATE_IMAGE_URLS = ["127.0.0.2/32"]
    good = seed_demo(2)
    demo = Dataset.objects.get(slug="demo")
    with ExitStack() as servers:
        inside = servers.enter_context(serving("127.0.0.1"))
        inside_v6 = servers.enter_context(serving("::1")) if ipv6_loopback_available() else None
        outside = servers.enter_context(serving("127.0.0.2", redirect_to=inside.url("/after-redirect.png")))
        images = {name: _image(demo, url) for name, url in _internal_urls(inside, inside_v6, outside).items()}

        output = predict("--timeout", "2", batch_size=4)

    assert summary(output)["broken"] == len(images)
    for name, image in images.items():
        image.refresh_from_db()
        assert image.broken, name
        reason = _reason(output, image)
        assert reason.startswith("PrivateAddressError: "), (name, reason)
        assert "ALLOW_PRIVATE_IMAGE_URLS" in reason
    assert inside.paths == [], "the internal server was never asked, not even after the redirect"
    assert inside_v6 is None or inside_v6.paths == []
    assert outside.paths == ["/redirects-inside.png"], "the allowed host was asked; its redirect was not followed"
    assert sorted(AestheticScore.objects.values_list("image_id", flat=True)) == [image.pk for image in good]


def test_allow_private_image_urls_lets_the_tests_and_the_demo_fetch_from_this_machine(predictor_dirs, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    demo_dataset = seed_demo(1)[0].dataset
    with serving("127.0.0.1") as inside, serving("127.0.0.2", redirect_to=inside.url("/after.png")) as outside:
        direct = _image(demo_dataset, inside.url("/direct.png"))
        redirected = _image(demo_dataset, outside.url("/before.png"))

        output = predict("--timeout", "2", batch_size=4)

    assert (summary(output)["scored"], summary(output)["broken"]) == (3, 0), output
    assert sorted(inside.paths) == ["/after.png", "/direct.png"]
    assert AestheticScore.objects.filter(image__in=[direct, redirected]).count() == 2
