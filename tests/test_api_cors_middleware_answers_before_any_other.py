"""django-cors-headers' CorsMiddleware comes first in MIDDLEWARE, as its documentation asks: before every middleware
that can answer a request itself (SecurityMiddleware's HTTPS redirect, WhiteNoise, CommonMiddleware), so that no
answer on the API's paths leaves without its CORS headers, and a preflight is answered by it alone."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.cors_helpers import APP_ORIGIN, preflight

pytestmark = pytest.mark.django_db


def test_cors_middleware_is_the_first():
    assert django_settings.MIDDLEWARE[0] == "corsheaders.middleware.CorsMiddleware"


def test_the_https_redirect_of_an_api_call_is_readable_and_its_preflight_answered(settings):
    settings.SECURE_SSL_REDIRECT = True

    asked = preflight("/api/v1/rating/new")
    redirected = Client().get("/api/v1/datasets", headers={"Origin": APP_ORIGIN})

    assert asked.status_code == 200
    assert asked["Access-Control-Allow-Origin"] == "*"
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert redirected["Access-Control-Allow-Origin"] == "*"
