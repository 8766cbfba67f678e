"""Settings for Horde Ratings, read from the environment (see README.md).

A malformed value stops start-up with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ratings_site.env import (
    env_addresses,
    env_bool,
    env_bool_or_networks,
    env_cache,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "ratings_site.admin_site.ModeratorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ratings_site.horde",
    "ratings_site.raters",
    "ratings_site.datasets",
    "ratings_site.ratings",
    "ratings_site.kudos",
    "ratings_site.predictor",
    "ratings_site.moderation",
    "ratings_site.figures",
    "ratings_site.generations",
    "ratings_site.bestof",
    "ratings_site.reliability",
    "ratings_site.api",
    "ratings_site.exports",
    "ratings_site.embed",
]

MIDDLEWARE = [
    # First, as django-cors-headers asks: it answers the API's CORS preflights itself, before anything else can
    # answer (a redirect, a 404, the API's key check), and marks every answer on its paths (CORS_URLS_REGEX).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Text answers gzipped for clients that ask (a rate card: 12 KB of HTML, 2.2 KB gzipped). Above every middleware
    # that reads or writes the body, so that it compresses last; below WhiteNoise, which serves the static files
    # compressed already. BREACH: each answer's CSRF token is masked afresh and Django pads each gzip header with
    # random bytes (ratings_site/compression.py says more).
    "ratings_site.compression.TextGZipMiddleware",
    # Django's session middleware, plus the embedded pages' sessions (ratings_site/embed/sessions.py): their
    # cookie is SameSite=None; Secure; Partitioned, and the X-Embed-Session header stands in where it is blocked.
    "ratings_site.embed.sessions.EmbedAwareSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ratings_site.raters.middleware.HtmxRedirectMiddleware",
    "ratings_site.raters.middleware.HordeModeratorStillModeratorMiddleware",
    # A refusal (ratings_site.refusals.Refusal) that a page's view did not answer itself: a 4xx page, never a 500.
    "ratings_site.refusals.RefusalPageMiddleware",
    # Last, so that it marks the answer before the CSP and X-Frame-Options middlewares above it write their
    # headers: only /embed/ pages may be framed, and only by EMBED_ALLOWED_ORIGINS.
    "ratings_site.embed.framing.EmbedFramingMiddleware",
]

ROOT_URLCONF = "ratings_site.urls"
WSGI_APPLICATION = "ratings_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ratings_site.ratings.context_processors.rater_counters",
                "ratings_site.ratings.context_processors.rating_timing",
                "ratings_site.embed.context_processors.embed",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
        # A kept connection is checked before each request reuses it: after the database restarted, each web thread
        # would otherwise fail one request on its dead connection (benchmarks/postgres_restart_fault.py).
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
# Behind pgbouncer in transaction mode a server-side cursor cannot live across statements: the web processes set this
# (README, Scaling); the exports worker connects directly and keeps them (the export streams through one).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (web, stand-in Horde, tests) share the file: wait for locks.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "raters.Rater"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "rate"
# Local accounts (createsuperuser) log in by name and password; raters and moderators by Horde key.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # local accounts only (Rater.objects.get_by_natural_key)
    "ratings_site.raters.backends.HordeKeyBackend",
]
# Rater.username is Horde display data, unique only among local accounts (see raters.models).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Shared by every web process, for what may be forgotten at any moment: find_user answers, the rater an API key
# stands for. The database cache by default (made by migrate); Redis when REDIS_URL is set (CACHE_URL, when set,
# wins over both). What must never be evicted (the login limits, the API's rate counts, the embed tokens' single
# use) is in raters.limits_store: the database by default, the same Redis when REDIS_URL is set (give it
# `maxmemory-policy noeviction`, or a volatile-* policy with room to spare: README, Background work).
REDIS_URL = env_str("REDIS_URL").strip()
CACHES = {"default": env_cache("CACHE_URL", REDIS_URL or "db://horde_ratings_cache")}
# Several sites (or test runs) sharing one Redis keep apart by a prefix of their own (the limits' keys too).
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX")

# Background tasks, enqueued only through ratings_site.background (after commit, one back-off). One worker (or more)
# per queue, so that nothing waits behind another queue's slow work (README, Background work). "default": what is
# due at a moment and quick (kudos payments, sending rated sets to the Horde, the landing page's figures); "copies":
# the copies of generation images (slow hosts, at most GENERATION_COPY_SET_BUDGET_SECONDS a set); "exports": the
# open dataset's refresh.
# The engine: the database (django-tasks-db, `manage.py db_worker --queue-name <queue>`) by default; Redis through
# django-tasks-rq when REDIS_URL is set (`manage.py rqworker <queue> --with-scheduler`: its scheduler is what
# starts a task whose `run_after`, a batch window or a retry's back-off, has come).
TASK_QUEUES = ["default", "copies", "exports"]
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")  # its rqworker command
    # How long one task may run before RQ stops it: a payment or a send is a few Horde calls; a set's copies stop
    # at their budget; the open dataset's refresh takes minutes at a million ratings.
    _TASK_TIMEOUTS = {"default": 600, "copies": 1800, "exports": 4 * 3600}
    RQ_QUEUES = {queue: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": _TASK_TIMEOUTS[queue]} for queue in TASK_QUEUES}
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # runs django-tasks' tasks (its README)
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Where the files under MEDIA_ROOT are linked: the site's own /media/, or in production another origin that serves
# MEDIA_ROOT (a cookieless host or object storage, with the same headers: README, Production), such as
# MEDIA_URL=https://media.ratings.example/. A path or an http(s) URL, ending with "/".
MEDIA_URL = env_str("MEDIA_URL", "/media/")
_media_url = urlsplit(MEDIA_URL)
if not MEDIA_URL.endswith("/") or _media_url.query or _media_url.fragment or not (
    (MEDIA_URL.startswith("/") and not _media_url.netloc) or (_media_url.scheme in ("http", "https") and _media_url.netloc)
):
    raise ImproperlyConfigured(f"MEDIA_URL must be a path or an http(s) URL ending with '/', got {MEDIA_URL!r}")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The site serves MEDIA_ROOT itself at MEDIA_URL (pictures only, sandboxed: datasets/views.py) unless a front server
# or object storage does it in production; with MEDIA_URL on another origin it cannot.
SERVE_MEDIA = env_bool("SERVE_MEDIA", MEDIA_URL.startswith("/"))
if SERVE_MEDIA and not MEDIA_URL.startswith("/"):
    raise ImproperlyConfigured("SERVE_MEDIA must be false when MEDIA_URL is another origin: that origin serves MEDIA_ROOT")
# Images the server itself opens or fetches (datasets/pictures.py, datasets/fetch.py).
# Pixels (width × height) an image may have: larger ones are refused at import and marked broken by the predictor.
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
# Which loopback, private, link-local or reserved addresses server-side fetches of image URLs may reach: none
# (false), all (true: tests, a local demo), or a comma-separated list of addresses or networks (an internal image store).
ALLOW_PRIVATE_IMAGE_URLS = env_bool_or_networks("ALLOW_PRIVATE_IMAGE_URLS", False)

# Generation sets: the copies of their images (ratings_site/generations/copies.py), tried at most
# GENERATION_COPY_MAX_ATTEMPTS times, the waits between tries doubling from GENERATION_COPY_RETRY_BASE_SECONDS.
GENERATION_COPY_MAX_ATTEMPTS = env_int("GENERATION_COPY_MAX_ATTEMPTS", 5, minimum=1)
GENERATION_COPY_RETRY_BASE_SECONDS = env_int("GENERATION_COPY_RETRY_BASE_SECONDS", 60, minimum=1)
GENERATION_COPY_TIMEOUT = env_float("GENERATION_COPY_TIMEOUT", 20.0, minimum=0.1, maximum=300)
GENERATION_COPY_MAX_BYTES = env_int("GENERATION_COPY_MAX_BYTES", 32 * 1024 * 1024, minimum=1)
# A set's copies get this many seconds of a worker's time in all (every try of every image, over every run);
# what is not copied by then is marked failed. And a rater may have this many images waiting for their copy: the
# images of a set registered beyond it are not copied (marked failed, saying why); the set is registered all the same.
GENERATION_COPY_SET_BUDGET_SECONDS = env_float("GENERATION_COPY_SET_BUDGET_SECONDS", 60.0, minimum=1, maximum=3600)
GENERATION_COPY_PENDING_PER_RATER = env_int("GENERATION_COPY_PENDING_PER_RATER", 100, minimum=1)

# The Horde's forward of rated sets to /api/v1/rating/set carries no credential of its own (ratings_site/api/
# authentication.py: FromTheHorde). Production lists the Horde's addresses or networks (comma-separated) in
# HORDE_RATINGS_SET_ALLOWED_IPS, matched against the caller's address as FORWARDED_PROXIES reads it (behind a proxy,
# the entry of X-Forwarded-For the trusted proxies wrote, never the client's own). HORDE_RATINGS_SET_TOKEN (at least
# 16 characters) is optional, for an operator whose own proxy forwards the Horde's call with it in
# X-Ratings-Set-Token. Anyone else gets 401 (never 403: the Horde reads 403 as "already rated"); with neither set
# the intake takes nothing, and `manage.py check --deploy` warns (ratings_site/api/checks.py).
HORDE_RATINGS_SET_TOKEN = env_str("HORDE_RATINGS_SET_TOKEN").strip()
if HORDE_RATINGS_SET_TOKEN and len(HORDE_RATINGS_SET_TOKEN) < 16:
    raise ImproperlyConfigured("HORDE_RATINGS_SET_TOKEN must be at least 16 characters long (or empty: no token)")
HORDE_RATINGS_SET_ALLOWED_IPS = env_list("HORDE_RATINGS_SET_ALLOWED_IPS", [])
for _address in HORDE_RATINGS_SET_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_address, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"HORDE_RATINGS_SET_ALLOWED_IPS must be comma-separated IP addresses or networks, got {_address!r}"
        ) from None

# The API (ratings_site/api): JSON in and out, every error {"message"}; each view names who may call it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ratings_site.api.parsers.JSONBodyParser"],
    "EXCEPTION_HANDLER": "ratings_site.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "ratings_site.api.throttles.PerAddressThrottle",
        "ratings_site.api.throttles.PerRaterThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Horde Ratings API",
    "DESCRIPTION": (
        "The ratings API v1 of the AI Horde's aesthetic ratings (compatible with the Horde ratings service's "
        "API v1): rate dataset images, register and rate generation sets, moderators' checks, and the open "
        "dataset's downloads. Send your Horde API key in the `apikey` header and your app's "
        "`name:version:contact` in `Client-Agent`. Every error is JSON `{\"message\": ...}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ratings_site.api.docs.add_download_paths",
    ],
    # The apikey, Client-Agent and X-Ratings-Set-Token headers are documented as each call's parameters
    # (api/schema.py), not as security schemes: no authentication class is described on its own.
    "AUTHENTICATION_WHITELIST": [],
    # Tags, in the order /api/docs/ shows them.
    "TAGS": [
        {"name": "rating", "description": "Rate dataset images: the next image, then its rating."},
        {"name": "datasets", "description": "The datasets whose images are rated."},
        {"name": "teams", "description": "Teams (kept for older clients: there are none)."},
        {"name": "generations", "description": "Generation sets: a client's registration, the Horde's forward."},
        {"name": "moderation", "description": "Moderators' checks of images and raters."},
        {"name": "download", "description": "The open dataset's files."},
        {"name": "embed", "description": "Client apps framing the rating pages (/embed/...)."},
    ],
}
# The API's rate limits, counted exactly in the database (raters.limits_store), every gunicorn worker together:
# requests a minute per rater (their Horde account; an anonymous rater by address) and per client address.
API_REQUESTS_PER_MINUTE_PER_RATER = env_int("API_REQUESTS_PER_MINUTE_PER_RATER", 120, minimum=1)
API_REQUESTS_PER_MINUTE_PER_ADDRESS = env_int("API_REQUESTS_PER_MINUTE_PER_ADDRESS", 600, minimum=1)
# How long the API remembers which rater a key stands for (by the key's hash), so that a client's stream of
# ratings does not ask the Horde's find_user for each. Not a Horde moderator's: asked about again on each call,
# through find_user's cache, as the admin does (raters.moderator_rights), so demotion takes FIND_USER_CACHE_SECONDS.
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", 300, minimum=0)

# The open dataset (ratings_site/exports): `manage.py export_ratings` writes it to EXPORT_DIR, which
# /api/v1/download/ serves. Raters' ids are hashed with EXPORT_SALT (keep it secret and never change it, or the
# ids of one export no longer match the next). The background refresh runs at most every EXPORT_MIN_INTERVAL_SECONDS.
EXPORT_DIR = Path(env_str("EXPORT_DIR", str(BASE_DIR / "exports")))
EXPORT_SALT = env_str("EXPORT_SALT") or SECRET_KEY
EXPORT_MIN_INTERVAL_SECONDS = env_int("EXPORT_MIN_INTERVAL_SECONDS", 3600, minimum=0)

# Client apps embedding the rating pages (/embed/...) in iframes: the origins allowed to frame them
# (`https://artbot.site,https://aihorde.net`), how long the token a client gets from POST /api/v1/embed/token
# may wait before the frame exchanges it, and how long the frame's session lasts.
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS", [])
for _origin in EMBED_ALLOWED_ORIGINS:
    _parsed = urlsplit(_origin)
    if _parsed.scheme not in {"http", "https"} or not _parsed.netloc or _parsed.path not in {"", "/"} or _parsed.query:
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS must be comma-separated origins such as https://artbot.site, got {_origin!r}"
        )
EMBED_ALLOWED_ORIGINS = [_origin.rstrip("/") for _origin in EMBED_ALLOWED_ORIGINS]
EMBED_TOKEN_SECONDS = env_int("EMBED_TOKEN_SECONDS", 600, minimum=1)
EMBED_SESSION_SECONDS = env_int("EMBED_SESSION_SECONDS", 12 * 60 * 60, minimum=60)

# CORS for the API's browser clients (ArtBot, Stable UI, the Horde's front page call it with `fetch` from their own
# origins, so the browser sends a preflight first): django-cors-headers (CorsMiddleware, first in MIDDLEWARE).
# Only /api/v1/... and /api/swagger.json, less two calls that are not for any origin: the Horde's server-to-server
# forward /api/v1/rating/set, and /api/v1/embed/token, which answers CORS itself for EMBED_ALLOWED_ORIGINS only
# (api/embed_views.py), so its headers are never doubled nor widened. Any origin may call: the key travels in the
# `apikey` header, never in a cookie, and credentials are never allowed, so no page can ride a moderator's admin
# session. Retry-After is exposed so that pages can read how long a 429 asks them to wait.
CORS_URLS_REGEX = r"^/api/(?:v1/(?!rating/set/?$|embed/token/?$)|swagger\.json$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("apikey", "client-agent", "content-type", "x-fields", "accept")
CORS_ALLOW_METHODS = ("GET", "POST", "PUT", "OPTIONS")  # PUT: an image's tags (/api/v1/image/<id>/tags)
CORS_EXPOSE_HEADERS = ("Retry-After",)
CORS_PREFLIGHT_MAX_AGE = 7200  # seconds a browser may reuse a preflight's answer (Chromium's own cap)

# Security
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Health checks come over plain HTTP from inside the network: they get their answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HTTP Strict Transport Security: off (0) until the site is served only over HTTPS; production sets a year.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Sessions read through the cache, written through to the database (every page reads one). Not the cache alone:
# a session evicted from the cache (Redis under memory pressure, a restart) would log its rater out, and a frame's
# session out of its frame; here an eviction costs one database read. With the database cache (no REDIS_URL) it
# saves nothing, and costs nothing on a read; with Redis, a page reads no session from the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS proxy: believe its X-Forwarded-Proto, so that requests it received over HTTPS count as secure and
# the absolute URLs the API hands out (image URLs) are https. On by default where SECURE_SSL_REDIRECT is on; set it
# only where the proxy always sets that header itself (a client could otherwise claim HTTPS).
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", SECURE_SSL_REDIRECT)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "ratings_site.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Dataset images may live on any https host (LAION rows are URLs).
        "img-src": ["'self'", "data:", "https:", "http:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The Horde
HORDE_API_URL = env_str("HORDE_API_URL", "https://aihorde.net/api").rstrip("/")
HORDE_SERVICE_API_KEY = env_str("HORDE_SERVICE_API_KEY")
HORDE_TIMEOUT = env_float("HORDE_TIMEOUT", 5.0, minimum=0.1, maximum=120)
HORDE_CLIENT_AGENT = env_str("HORDE_CLIENT_AGENT", "HordeRatings:1.0:https://github.com/laion-ai/horde-ratings")
FIND_USER_CACHE_SECONDS = env_int("FIND_USER_CACHE_SECONDS", 30, minimum=0)
INVALID_KEY_CACHE_SECONDS = env_int("INVALID_KEY_CACHE_SECONDS", 10, minimum=0)
# Login waits less for the Horde than other calls: a rater is watching, and a web thread is held meanwhile.
HORDE_LOGIN_TIMEOUT = env_float("HORDE_LOGIN_TIMEOUT", 3.0, minimum=0.1, maximum=120)
# Calls to the Horde in flight at once per process (well below gunicorn's 8 threads): one more fails at once as
# "unavailable", never sent, so a slow Horde cannot hold every thread (horde.client._call_slot).
HORDE_MAX_CONCURRENT_CALLS = env_int("HORDE_MAX_CONCURRENT_CALLS", 4, minimum=1)

# Login limits (per LOGIN_THROTTLE_SECONDS): failed logins per address and per key, anonymous logins per address,
# counted in the database (raters.limits_store), never evicted.
LOGIN_THROTTLE_SECONDS = env_int("LOGIN_THROTTLE_SECONDS", 600, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_FAILURES_PER_KEY = env_int("LOGIN_FAILURES_PER_KEY", 10, minimum=1)
ANONYMOUS_LOGINS_PER_ADDRESS = env_int("ANONYMOUS_LOGINS_PER_ADDRESS", 5, minimum=1)
# How many proxies in front of the site append to X-Forwarded-For (0: the address is REMOTE_ADDR).
FORWARDED_PROXIES = env_int("FORWARDED_PROXIES", 0, minimum=0)

# The rating rules
RATINGS_PER_IMAGE = env_int("RATINGS_PER_IMAGE", 5, minimum=1)
KUDOS_PER_RATING = env_int("KUDOS_PER_RATING", 5, minimum=0)
# Kudos for a pick of the best image of a dataset prompt group (/rate/<slug>/best/).
KUDOS_PER_BEST_PICK = env_int("KUDOS_PER_BEST_PICK", 5, minimum=0)
CAPTCHA_RATE = env_float("CAPTCHA_RATE", 0.02, minimum=0.0, maximum=1.0)
CAPTCHA_FAILS_TIMEOUT = env_int("CAPTCHA_FAILS_TIMEOUT", 3, minimum=1)
CAPTCHA_PAUSE_MINUTES = env_int("CAPTCHA_PAUSE_MINUTES", 60, minimum=1)
RATINGS_PER_MINUTE_MAX = env_int("RATINGS_PER_MINUTE_MAX", 30, minimum=1)
FLOOD_PAUSE_SECONDS = env_int("FLOOD_PAUSE_SECONDS", 60, minimum=1)
# No image is saved before its rater has seen it (issue 21). The page ignores Enter until the image has been on
# screen RATING_MIN_LOOK_MS (a glance at a picture takes about half a second; 700 ms leaves a quick, honest rater
# alone and stops keys typed ahead); the server refuses a rating that arrives sooner than RATING_MIN_SECONDS
# after its image was served (the page's card signs its serve time; the API's is the time of rating/new), so a
# script cannot rate faster than a person looks. The page holds an early Enter until the server's floor has passed.
RATING_MIN_LOOK_MS = env_int("RATING_MIN_LOOK_MS", 700, minimum=0)
RATING_MIN_SECONDS = env_float("RATING_MIN_SECONDS", 1.0, minimum=0.0, maximum=60.0)
# How long after saving a rating its rater may change or undo it (0: ratings are final at once).
RATING_UNDO_MINUTES = env_int("RATING_UNDO_MINUTES", 10, minimum=0)
# An image served to a rater (shown or preloaded on a page, handed out by the API) holds one of its remaining rating
# slots for this long: the queue serves others an image only while its slots are not all held (ratings.selectors),
# so that concurrent raters are rarely told "already has all the ratings it needs" at save. 0 turns holds off.
RATING_HOLD_SECONDS = env_int("RATING_HOLD_SECONDS", 120, minimum=0)
QUEUE_TOP_K = env_int("QUEUE_TOP_K", 32, minimum=1)
QUEUE_PRIORITY_TOLERANCE = env_float("QUEUE_PRIORITY_TOLERANCE", 0.01, minimum=0.0)
# A rater's NSFW preference (Rater.hide_nsfw, their settings page): their queue leaves out the images that at least
# NSFW_HIDE_TAGS raters tagged NSFW, or whose LAION punsafe is NSFW_HIDE_PUNSAFE or more (the import already keeps
# the images over its --nsfw-threshold, 0.5, from everyone: Image.nsfw). datasets.services.queue_nsfw_condition;
# after changing either, `manage.py refresh_queue` brings the queue's flags in step.
NSFW_HIDE_TAGS = env_int("NSFW_HIDE_TAGS", 2, minimum=1)
NSFW_HIDE_PUNSAFE = env_float("NSFW_HIDE_PUNSAFE", 0.2, minimum=0.0, maximum=1.0)
# Best of a prompt group (ratings_site/bestof): the picks each group wants before it leaves the queue.
BEST_PICKS_PER_GROUP = env_int("BEST_PICKS_PER_GROUP", 3, minimum=1)

# Kudos payments
KUDOS_BATCH_SECONDS = env_int("KUDOS_BATCH_SECONDS", 30, minimum=0)
KUDOS_MAX_ATTEMPTS = env_int("KUDOS_MAX_ATTEMPTS", 8, minimum=1)
KUDOS_RETRY_BASE_SECONDS = env_int("KUDOS_RETRY_BASE_SECONDS", 30, minimum=1)
# A rated generation set the Horde did not answer for: retried by the worker with this back-off (base, 2×, 4× …),
# at most this many times (the Horde forgets a request about 10 minutes after it finishes).
GENERATION_SUBMIT_RETRY_BASE_SECONDS = env_int("GENERATION_SUBMIT_RETRY_BASE_SECONDS", 30, minimum=1)
GENERATION_SUBMIT_MAX_ATTEMPTS = env_int("GENERATION_SUBMIT_MAX_ATTEMPTS", 8, minimum=1)
# Opening a request id the site does not know asks the Horde's generate/status (generations/status.py): its answer
# is cached this long per request id, and each rater may make this many such calls a minute (then 429).
GENERATION_STATUS_CACHE_SECONDS = env_int("GENERATION_STATUS_CACHE_SECONDS", 5, minimum=1)
GENERATION_STATUS_LOOKUPS_PER_MINUTE = env_int("GENERATION_STATUS_LOOKUPS_PER_MINUTE", 12, minimum=1)

# The aesthetic predictor (ratings_site/predictor; the only code that imports torch)
PREDICTOR_CLIP_MODEL = env_str("PREDICTOR_CLIP_MODEL", "ViT-H-14")
PREDICTOR_PRETRAINED = env_str("PREDICTOR_PRETRAINED", "laion2b_s32b_b79k")
PREDICTOR_HEAD = env_str("PREDICTOR_HEAD")
PREDICTOR_DEVICE = env_str("PREDICTOR_DEVICE", "auto")
if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", PREDICTOR_DEVICE):
    raise ImproperlyConfigured(f"PREDICTOR_DEVICE must be auto, cpu, cuda or cuda:N, got {PREDICTOR_DEVICE!r}")
PREDICTOR_PRECISION = env_str("PREDICTOR_PRECISION", "bf16")
PREDICTOR_BATCH_SIZE = env_int("PREDICTOR_BATCH_SIZE", 64, minimum=1)
PREDICTOR_WORKERS = env_int("PREDICTOR_WORKERS", 2, minimum=0)
PREDICTOR_DIR = Path(env_str("PREDICTOR_DIR", str(BASE_DIR / "predictors")))
PRIORITY_STRATEGY = env_str("PRIORITY_STRATEGY", "uncertainty")
# `uncertainty`: how many of the most disputed images are ordered by the design step (see predictor.priorities).
PRIORITY_UNCERTAINTY_PICKS = env_int("PRIORITY_UNCERTAINTY_PICKS", 500, minimum=0)
# PostgreSQL connections that rewrite the queue's priorities at once (about the database server's cores).
PRIORITY_WRITE_CONNECTIONS = env_int("PRIORITY_WRITE_CONNECTIONS", 2, minimum=1)
MIN_RATINGS_FOR_TRAINING = env_int("MIN_RATINGS_FOR_TRAINING", 3, minimum=1)
# How train_predictor fits heads: `ridge` (closed-form least squares, penalty by leave-one-out) or `adam` (epochs).
PREDICTOR_TRAINING_METHOD = env_str("PREDICTOR_TRAINING_METHOD", "ridge")
for _name, _value, _allowed in [
    ("PREDICTOR_PRECISION", PREDICTOR_PRECISION, {"fp32", "fp16", "bf16"}),
    ("PRIORITY_STRATEGY", PRIORITY_STRATEGY, {"uncertainty", "stratified", "score", "random"}),
    ("PREDICTOR_TRAINING_METHOD", PREDICTOR_TRAINING_METHOD, {"ridge", "adam"}),
]:
    if _value not in _allowed:
        raise ImproperlyConfigured(f"{_name} must be one of {sorted(_allowed)}, got {_value!r}")

# The stand-in Horde may run outside DEBUG only when explicitly allowed: its command (`standin_horde`) lives in
# the development-only app ratings_site.demo, installed only then, so that production never loads it.
STANDIN_HORDE_ALLOWED = env_bool("STANDIN_HORDE_ALLOWED", DEBUG)
if STANDIN_HORDE_ALLOWED:
    INSTALLED_APPS.append("ratings_site.demo")

# Error reports: with ADMINS set, each server error (500) is mailed to them by Django's AdminEmailHandler, and the
# 500 page says so; without, nothing is sent and the page does not claim it. Reports never carry a Horde key
# (ratings_site/error_reports.py).
ADMINS = env_addresses("ADMINS")
SERVER_EMAIL = (env_addresses("SERVER_EMAIL") or [("", "root@localhost")])[0][1]
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_SUBJECT_PREFIX = "[Horde Ratings] "
DEFAULT_EXCEPTION_REPORTER_FILTER = "ratings_site.error_reports.KeyHidingReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "ratings_site.error_reports.KeyScrubbingExceptionReporter"

# While the database is away (restarting, unreachable), every request fails alike and answers 503 (views.server_error):
# its report is mailed once per DATABASE_OUTAGE_MAIL_SECONDS by each web process, not once per request
# (error_reports.OneDatabaseOutageMailPerWindow). Every other error is mailed each time, as Django does.
DATABASE_OUTAGE_MAIL_SECONDS = env_int("DATABASE_OUTAGE_MAIL_SECONDS", 600, minimum=0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "one_database_outage_mail": {"()": "ratings_site.error_reports.OneDatabaseOutageMailPerWindow"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Django's own mail_admins handler (django.utils.log.DEFAULT_LOGGING), with the outage filter added.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false", "one_database_outage_mail"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    # Django's logger, as its default configures it, less its DEBUG-only console (the root's prints every record).
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
