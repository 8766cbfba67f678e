"""Background jobs of the site's figures (run by the task worker)."""

from __future__ import annotations

from django_tasks import task

from ratings_site.figures import services


@task()
def refresh_site_figures() -> dict:
    figures = services.refresh_site_figures()
    return {
        "ratings": figures.ratings,
        "raters": figures.raters,
        "images": figures.images,
        "kudos_paid": figures.kudos_paid,
    }
