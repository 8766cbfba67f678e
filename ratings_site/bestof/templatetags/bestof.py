"""`{% best_of_link dataset %}`: the rate page's link to the dataset's best-of page, when it has prompt groups."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ratings_site.bestof.selectors import has_prompt_groups
from ratings_site.datasets.models import Dataset

register = template.Library()


@register.simple_tag
def best_of_link(dataset: Dataset | None) -> str:
    if dataset is None or not has_prompt_groups(dataset):
        return ""
    url = reverse("rate_best", args=[dataset.slug])
    return format_html(
        '<a href="{}" class="best-of-link" data-testid="best-of-link">Best of a prompt in {}</a>', url, dataset.name
    )
