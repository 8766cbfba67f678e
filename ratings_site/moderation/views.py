from __future__ import annotations

from django.contrib.auth.decorators import user_passes_test
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratings_site.datasets.models import Dataset
from ratings_site.moderation.stats import predicted_vs_human
from ratings_site.raters.moderator_rights import is_moderator


@user_passes_test(is_moderator, login_url="admin:login")
def stats_page(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.annotate(all_images=Count("images")).order_by("name")
    return render(request, "moderation/stats.html", {"scatter": predicted_vs_human(), "datasets": datasets})
