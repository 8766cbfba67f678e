"""The site's settings as the test suite runs them: production-like (DEBUG off)."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("STANDIN_HORDE_ALLOWED", "1")
# Every directory the site writes to is a fresh temporary one per test process (each pytest-xdist worker imports
# these settings on its own), never the checkout's media/, exports/ or predictors/.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="horde-ratings-test-media-"))
os.environ.setdefault("EXPORT_DIR", tempfile.mkdtemp(prefix="horde-ratings-test-exports-"))
os.environ.setdefault("PREDICTOR_DIR", tempfile.mkdtemp(prefix="horde-ratings-test-predictors-"))
os.environ.setdefault("HORDE_TIMEOUT", "1.5")
# Tests clear the cache around each test, even those without a database; the shared database cache is
# tested through real servers (tests/served_site.py).
os.environ.setdefault("CACHE_URL", "locmem://")

from ratings_site.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files are served by whitenoise from the finders in tests (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Most tests rate at machine speed: the look-time floors (RATING_MIN_LOOK_MS on the page, RATING_MIN_SECONDS on
# the server) are off here and switched on by the tests that prove them (test_*look*, test_*too_fast*).
RATING_MIN_LOOK_MS = 0
RATING_MIN_SECONDS = 0.0
