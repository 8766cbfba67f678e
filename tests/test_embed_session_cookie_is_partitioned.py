"""The frame's session cookie is SameSite=None; Secure; Partitioned (a cookie browsers keep per embedding site);
the site's own sessions keep Django's settings (SameSite=Lax, no Partitioned)."""

import pytest

from tests.conftest import DEMO_KEY
from tests.embed_token_helpers import ORIGIN, open_frame

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_the_frames_session_cookie(settings, make_images):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]
    make_images(1)

    _, page = open_frame()

    header = page.cookies[settings.SESSION_COOKIE_NAME].OutputString()
    assert "SameSite=None" in header
    assert "Secure" in header
    assert header.endswith("; Partitioned")
    assert "HttpOnly" in header


def test_a_site_login_cookie_is_not_partitioned(login, settings):
    client = login(DEMO_KEY)

    header = client.cookies[settings.SESSION_COOKIE_NAME].OutputString()
    assert "SameSite=Lax" in header
    assert "Partitioned" not in header
