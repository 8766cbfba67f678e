"""/api/: the ratings API v1 (shared/horde-wire.md §2). Paths have no trailing slash."""

from django.urls import path, re_path

from ratings_site.api import views

app_name = "api"

urlpatterns = [
    path("v1/generations", views.RegisterGenerationSet.as_view(), name="register_generation_set"),
    path("v1/rating/set", views.RatedSetIntake.as_view(), name="rated_set_intake"),
    re_path(r"^.*$", views.NoSuchCall.as_view(), name="no_such_call"),
]
