"""`{% best_of_link dataset %}`: the rate page's links to best-of pages, in its row of datasets. On a dataset's page,
one link to that dataset's best-of page when it has prompt groups; on "All datasets", one per public dataset that
has them (one query), so the best-of pages are never hidden behind picking a dataset first."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ratings_site.bestof.selectors import has_prompt_groups, open_groups
from ratings_site.datasets.models import Dataset

register = template.Library()


@register.simple_tag
def best_of_link(dataset: Dataset | None) -> str:
    if dataset is not None:
        if not has_prompt_groups(dataset):
            return ""
        return format_html(
            '<a href="{}" class="best-of-link" data-testid="best-of-link">Best of a prompt in {}</a>',
            reverse("rate_best", args=[dataset.slug]),
            dataset.name,
        )
    # The groups still wanting picks are `open_groups`, asked here of every public dataset at once.
    with_groups = list(Dataset.objects.filter(Exists(open_groups(OuterRef("pk"))), public=True).only("slug", "name"))
    if not with_groups:
        return ""
    links = format_html_join(
        ", ",
        '<a href="{}" data-testid="best-of-link">{}</a>',
        ((reverse("rate_best", args=[ds.slug]), ds.name) for ds in with_groups),
    )
    return format_html('<span class="best-of-link">Best of a prompt in {}</span>', links)
