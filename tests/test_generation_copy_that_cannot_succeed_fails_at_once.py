"""A copy that cannot succeed however often it is tried (an HTML page, an SVG, a picture format we do not keep, a
redirect to a link that is not http(s), a 4xx other than 408 and 429) is marked failed after its one try, with
the reason, instead of being retried GENERATION_COPY_MAX_ATTEMPTS times; what may pass (408, 429, 5xx) is retried."""

import io

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from PIL import Image as Picture

from ratings_site.generations.models import GenerationImage
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY
from tests.helpers import run_worker
from tests.image_servers import answering

pytestmark = pytest.mark.django_db(transaction=True)

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><rect/></svg>'


def tiff() -> bytes:
    out = io.BytesIO()
    Picture.new("RGB", (8, 8), "red").save(out, format="TIFF")
    return out.getvalue()


@pytest.fixture(autouse=True)
def local_images_allowed(settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    settings.GENERATION_COPY_MAX_ATTEMPTS = 5


def copy_once(answer: dict) -> GenerationImage:
    with answering("127.0.0.1", **answer) as server:
        post_json("/api/v1/generations", registration(images=[{"id": "g1", "url": server.url()}]), apikey=DEMO_KEY)
        run_worker()
    assert server.paths == ["/picture.png"]
    return GenerationImage.objects.get()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"body": b"<!DOCTYPE html><html><body>Sign in</body></html>"}, "an HTML page"),
        ({"body": b"<html>not a picture</html>", "content_type": "image/png"}, "an HTML page"),
        ({"body": SVG, "content_type": "image/svg+xml"}, "an SVG drawing"),
        ({"body": tiff(), "content_type": "image/tiff"}, "Not a picture"),
        ({"body": b"\x00\x01garbage" * 50, "content_type": "image/png"}, "Not a picture"),
        ({"status": 302, "location": "ftp://images.example.org/a.png"}, "not an http(s) URL"),
        ({"status": 302, "location": "file:///etc/passwd"}, "not an http(s) URL"),
        ({"status": 404, "body": b"gone"}, "HTTP 404"),
        ({"status": 403, "body": b"expired"}, "HTTP 403"),
        ({"status": 410, "body": b"gone"}, "HTTP 410"),
    ],
    ids=["html", "html-called-png", "svg", "tiff", "garbage", "redirect-to-ftp", "redirect-to-file", "404", "403",
         "410"],
)
def test_it_fails_after_one_try_with_the_reason(horde, answer, says):
    image = copy_once(answer)

    assert (image.copy_state, image.copy_attempts) == (GenerationImage.CopyState.FAILED, 1)
    assert says in image.copy_error
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()  # no retry scheduled


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_what_may_pass_is_tried_again(horde, status):
    image = copy_once({"status": status, "body": b"busy"})

    assert (image.copy_state, image.copy_attempts) == (GenerationImage.CopyState.WAITING, 1)
    assert f"HTTP {status}" in image.copy_error
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()  # the retry
