"""A redeemed embed token stays used however busy the shared cache gets: its single-use marker lives in the
database (raters.limits_store), not in the cache, which with Django's database cache (production's default) keeps
300 entries and culls a third of them on the next write."""

import pytest
from django.test import Client

from tests.database_cache_helpers import database_cache, write_to_the_cache  # noqa: F401  (a fixture)
from tests.embed_token_helpers import ORIGIN, framed_by, new_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas", "database_cache")]


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [ORIGIN]


def _frame(token: str):
    return Client().get(f"/embed/rate/?token={token}", headers=framed_by(ORIGIN))


def test_a_used_token_is_refused_after_ten_thousand_other_cache_writes(make_images):
    make_images(1)
    token = new_token()
    assert Client().get(f"/embed/rate/?token={token}", headers=framed_by(ORIGIN)).status_code == 200

    write_to_the_cache(10_000)
    again = Client().get(f"/embed/rate/?token={token}", headers=framed_by(ORIGIN))

    assert again.status_code == 403
    assert "already used" in again.content.decode()
