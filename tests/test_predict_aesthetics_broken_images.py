"""Images that can't be read are marked broken (out of the queue) and counted; the run scores the rest."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.predictor.models import AestheticScore, ImageEmbedding
from tests.helpers import in_queue
from tests.predictor_fixtures import predict, predictor_dirs, seed_demo, summary  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def file_server(predictor_dirs: Path) -> Iterator[str]:
    """An HTTP server for MEDIA_ROOT, so that images can be given by URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(predictor_dirs / "media"))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _image(dataset: Dataset, *, file: str = "", url: str = "") -> Image:
    key = hashlib.sha256((file or url).encode()).hexdigest()
    image = Image.objects.create(dataset=dataset, file=file, url=url, dedupe_key=key, caption=file or url)
    refresh_queue(Image.objects.filter(pk=image.pk))  # as an import would
    return image


@pytest.mark.parametrize("workers", [0, 2], ids=["in process", "2 workers"])
def test_unreadable_images_are_marked_broken_and_the_rest_scored(
    predictor_dirs, closed_port, silent_server, file_server, workers, settings
):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the image servers here are on 127.0.0.1
    good = seed_demo(4)
    demo = Dataset.objects.get(slug="demo")
    media = predictor_dirs / "media"
    (media / "demo" / "garbage.png").write_bytes(os.urandom(4096))
    broken = [
        _image(demo, file="demo/garbage.png"),
        _image(demo, file="demo/missing.png"),
        _image(demo, url=f"http://127.0.0.1:{closed_port}/refused.png"),
        _image(demo, url=f"http://127.0.0.1:{silent_server}/never-answers.png"),
        _image(demo, url=f"{file_server}/no-such-file.png"),
    ]
    by_url = _image(demo, url=f"{file_server}/{good[0].file.name}")
    good.append(by_url)
    assert all(in_queue(image) and not image.broken for image in broken)

    output = predict("--timeout", "1", batch_size=4, workers=workers)

    figures = summary(output)
    assert (figures["scored"], figures["broken"]) == (5, 5)
    for image in broken:
        image.refresh_from_db()
        assert image.broken and not in_queue(image)
        assert f"broken: image {image.pk}: " in output
    assert not AestheticScore.objects.filter(image__in=broken).exists()
    assert not ImageEmbedding.objects.filter(image__in=broken).exists()
    assert sorted(AestheticScore.objects.values_list("image_id", flat=True)) == sorted(image.pk for image in good)
    assert not Image.objects.filter(pk__in=[image.pk for image in good], broken=True).exists()
    assert "0 images to score" in predict(), "broken images are not tried again"
