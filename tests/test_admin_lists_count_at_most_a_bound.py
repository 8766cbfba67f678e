"""An admin list tells its size without counting a big table: exactly up to a bound, "N+" beyond it, and on PostgreSQL "about N" from the planner's statistics for a list with no filter."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from ratings_site.admin_paging import CheapCountPaginator
from ratings_site.datasets.models import Image


@pytest.fixture
def bound(monkeypatch) -> int:
    monkeypatch.setattr(CheapCountPaginator, "count_bound", 3)
    return 3


def _footer(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<p class="paginator">(.*?)</p>', html, re.S).group(1)).strip()


def test_a_list_within_the_bound_is_counted_exactly(moderator_client, make_images, bound):
    make_images(3)

    html = moderator_client.get("/admin/datasets/image/").content.decode()

    assert _footer(html).endswith("3 images")


def test_a_list_beyond_the_bound_reads_n_plus(moderator_client, make_images, bound):
    make_images(5)

    html = moderator_client.get("/admin/datasets/image/").content.decode()

    assert _footer(html).endswith("3+ images")


def test_a_search_beyond_the_bound_reads_n_plus_results(moderator_client, make_images, bound):
    make_images(5)

    html = moderator_client.get("/admin/datasets/image/", {"q": "test image"}).content.decode()

    assert "3+ results" in html


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_an_unfiltered_list_on_postgresql_reads_about_the_tables_rows(moderator_client, make_images, bound):
    make_images(6)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Image._meta.db_table}")

    html = moderator_client.get("/admin/ratings/rating/").content.decode()  # no rows: counted exactly
    assert _footer(html).endswith("0 ratings")
    html = moderator_client.get("/admin/datasets/image/", {"check": "all"}).content.decode()  # no filter
    assert _footer(html).endswith("about 6 images")
