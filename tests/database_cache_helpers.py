"""Production's default cache in a test: Django's database cache (CACHE_URL=db://horde_ratings_cache, the settings'
default, which keeps 300 entries and culls a third of them on a write past that), instead of the suite's locmem."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

DATABASE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "horde_ratings_cache"},
}


@pytest.fixture
def database_cache(settings, db):
    """The shared cache as production has it by default, its table made as `migrate` makes it."""
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    cache.clear()
    return cache


def write_to_the_cache(count: int) -> None:
    """`count` writes of other entries, as a busy site makes them (find_user answers, API key resolutions)."""
    for n in range(count):
        cache.set(f"something-else:{n}", n, timeout=3600)
