"""Admin lists over tables of millions of rows (images, ratings, kudos lines…) count no more rows than they show.

Django's admin counts a list with COUNT(*) on every request (the paginator's count, and the unfiltered total unless
`show_full_result_count = False`); at a million rows each count reads the whole table. `CheapCountPaginator`
counts instead:

- a list with no filter, on PostgreSQL: the planner's estimate of the table's rows (`pg_class.reltuples`, kept by
  ANALYZE and autovacuum), read as "about 1,000,000";
- any other list, and every list on SQLite: at most COUNT_BOUND + 1 rows, read exactly up to the bound and as
  "10,000+" beyond it (the page links then stop at the bound; filters and search narrow the list further).

An admin over a big table takes `BigListMixin` first among its bases: `class RatingAdmin(BigListMixin, ModelAdmin)`.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

COUNT_BOUND = 10_000


class RowCount(int):
    """A count that is a bound or an estimate: an int for the paginator's arithmetic, words for the page.

    The admin's templates print `cl.result_count` as it is, so the words travel with the number.
    """

    def __new__(cls, value: int, words: str) -> RowCount:
        count = super().__new__(cls, value)
        count.words = words
        return count

    def __str__(self) -> str:
        return self.words

    def __format__(self, spec: str) -> str:
        return self.words if not spec else super().__format__(spec)


class CheapCountPaginator(Paginator):
    """A paginator whose count reads at most COUNT_BOUND + 1 rows, or one catalogue row (see the module)."""

    count_bound = COUNT_BOUND

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        estimate = _planner_estimate(queryset) if not queryset.query.where else None
        if estimate is not None and estimate > self.count_bound:
            return RowCount(estimate, f"about {estimate:,}")
        counted = queryset.order_by().values("pk")[: self.count_bound + 1].count()
        if counted > self.count_bound:
            return RowCount(self.count_bound, f"{self.count_bound:,}+")
        return counted


def _planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of the queryset's table; None on other databases or before any ANALYZE."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class BigListMixin:
    """For a ModelAdmin over a table of millions of rows: no COUNT(*) of it on any request.

    The cheap count above; no unfiltered total beside the filtered one; no facet counts (the "Show counts" toggle
    counts every filter's every choice over the whole table).
    """

    paginator = CheapCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A list filter that opens on one of its choices (`default`) rather than on everything: "All" is one of its
    lookups, and Django's own "All" (which would mean the default here) is not offered."""

    default: str

    def value(self) -> str:
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }
