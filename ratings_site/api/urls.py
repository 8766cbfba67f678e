"""/api/: the ratings API v1 (shared/horde-wire.md §2). Paths have no trailing slash, except /v1/user/ratings/.
/api/ leads to the docs (as the old service's did; /api itself is routed in ratings_site/urls.py), and
/api/swagger.json answers the OpenAPI document as JSON at the old service's path (Stable UI generated its
types from it; /api/schema/ is the same document, YAML unless `?format=json`). The catch-all JSON 404 stays last.
The open dataset's downloads (/api/v1/download/...) are plain views of the exports app, routed before this module
in ratings_site/urls.py (the API never imports another app's views)."""

from django.urls import path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView

from ratings_site.api import docs, embed_views, moderation_views, rating_views, tag_views, views

app_name = "api"

urlpatterns = [
    path("", docs.APIRoot.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # application/json whatever the Accept header (drf-spectacular's JSON view would answer its vnd.oai type first).
    path("swagger.json", SpectacularJSONAPIView.as_view(renderer_classes=[OpenApiJsonRenderer2]), name="swagger_json"),
    path("docs/", docs.api_docs, name="docs"),
    path("v1/datasets", rating_views.Datasets.as_view(), name="datasets"),
    path("v1/teams", rating_views.Teams.as_view(), name="teams"),
    path("v1/rating/new", rating_views.NextImage.as_view(), name="next_image"),
    path("v1/rating/new/<str:dataset_id>", rating_views.NextImageInDataset.as_view(), name="next_image_in_dataset"),
    path(
        "v1/rating/new/<str:dataset_id>/<str:model_name>",
        rating_views.NextImageInDatasetForModel.as_view(),
        name="next_image_in_dataset_for_model",
    ),
    path("v1/rating/set", views.RatedSetIntake.as_view(), name="rated_set_intake"),
    path("v1/rating/<str:image_id>", rating_views.RateImage.as_view(), name="rate_image"),
    path("v1/generations", views.RegisterGenerationSet.as_view(), name="register_generation_set"),
    path("v1/embed/token", embed_views.EmbedToken.as_view(), name="embed_token"),
    # An image's tags before a moderator's view of its ratings: /v1/image/ratings/tags matches both, and is the tags
    # call (of no image: 404) for every method the tags call documents, never a 405 from the other (image ids are
    # UUIDs, so "tags" is no image's id either way).
    path("v1/image/<str:image_id>/tags", tag_views.ImageTags.as_view(), name="image_tags"),
    path("v1/image/ratings/<str:image_id>", moderation_views.ImageRatings.as_view(), name="image_ratings"),
    path("v1/tags", tag_views.TagVocabulary.as_view(), name="tags"),
    path("v1/user/check/<str:user_id>", moderation_views.UserCheck.as_view(), name="user_check"),
    path("v1/user/validate/<str:user_id>", moderation_views.UserValidate.as_view(), name="user_validate"),
    path("v1/user/ratings/", moderation_views.UserRatings.as_view(), name="user_ratings"),
    re_path(r"^.*$", views.NoSuchCall.as_view(), name="no_such_call"),
]
