"""Image files under MEDIA_ROOT show with DEBUG off too, when SERVE_MEDIA is on (the default)."""

import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

pytestmark = pytest.mark.django_db  # a file is looked up among hidden images'


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def test_it_serves_media_files_with_caching_headers(client):
    assert settings.DEBUG is False and settings.SERVE_MEDIA is True
    name = default_storage.save("tests/served.png", ContentFile(_png()))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == _png()


def test_it_answers_404_for_a_missing_file(client):
    assert client.get("/media/tests/nothing-here.png").status_code == 404


def test_it_refuses_paths_outside_media_root(client):
    assert client.get("/media/../settings.py").status_code == 404
