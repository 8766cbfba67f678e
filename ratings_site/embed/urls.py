"""The embedded pages' paths. The main URLconf names them embed_*; `embed.urlconf`, used while serving an
embedded page, gives them the rating pages' own names, so shared templates and views stay inside the frame."""

from django.urls import path

from ratings_site.embed import views


def pages(prefix: str = "") -> list:
    return [
        path("embed/rate/", views.rate_page, name=f"{prefix}rate"),
        path("embed/rate/<slug:slug>/best/", views.best_page, name=f"{prefix}rate_best"),
        path("embed/rate/<slug:slug>/", views.rate_page, name=f"{prefix}rate_dataset"),
        path("embed/generations/<str:request_id>/", views.generation_set, name=f"{prefix}generation_set"),
    ]
