"""The raters' tags in the API v1 (ratings.tags): what clients need to show and set them. New calls only; the old
v1 calls are unchanged.

- `GET /api/v1/tags`: the vocabulary, `[{"tag": "watermark", "label": "Watermark"}, ...]`. Open to anyone.
- `GET /api/v1/image/<image_id>/tags`: `{"counts": {every tag: raters who gave it}, "mine": [the caller's]}`.
  Open to anyone; `mine` is the caller's tags when the apikey header is sent, [] without it.
- `PUT /api/v1/image/<image_id>/tags` `{"tags": [...]}`: the caller's whole set of tags for the image (an empty
  list takes theirs away); answers as the GET does. 400 for an unknown tag or a bad body, 401 without a key, 403
  for a rater who may not rate (banned), 404 for an unknown image or one not being rated (hidden, NSFW, ...).

Thin, as rating_views: the rules (who may tag what, the counts) are ratings.tags'; refusals are translated by
api.errors. The counts are those of raters whose ratings count (Image.tag_counts).
"""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings_site.api.authentication import HasRater, RatingKeyAuthentication
from ratings_site.api.exceptions import APIRefusal
from ratings_site.api.schema import APIKEY_HEADER, CLIENT_AGENT_HEADER, errors
from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings import tags

UNKNOWN_IMAGE = "No image has this id. GET /api/v1/rating/new for an image to rate."
# The lists name the tags as text (the vocabulary's enum is TagSerializer's alone: one name for one choice set).
ONE_OF = "A tag: " + ", ".join(tags.TAGS) + " (GET /api/v1/tags)."
BODY_SHAPE = 'The body must be a JSON object {"tags": [...]}, a list of tags from GET /api/v1/tags (may be empty).'


class TagSerializer(serializers.Serializer):
    tag = serializers.ChoiceField(choices=tags.TAGS, help_text="The tag, as calls send and answer it.")
    label = serializers.CharField(help_text="The tag in words for people.")


class TagCountsSerializer(serializers.Serializer):
    """Every tag, with how many raters in good standing gave it to the image (0 when none)."""

    def get_fields(self) -> dict:
        return {
            tag: serializers.IntegerField(min_value=0, help_text=f"Raters who tagged it {label}.")
            for tag, label in tags.vocabulary()
        }


class ImageTagsSerializer(serializers.Serializer):
    counts = TagCountsSerializer(help_text="Every tag with its count of raters (raters in good standing only).")
    mine = serializers.ListField(
        child=serializers.CharField(help_text=ONE_OF),
        help_text="Your tags of this image (with the apikey header; [] without it).",
    )


class TagsBodySerializer(serializers.Serializer):
    """For the schema only: the body is read by ratings.tags (the one copy of the vocabulary's rule)."""

    tags = serializers.ListField(
        child=serializers.CharField(help_text=ONE_OF),
        help_text="Your whole set of tags for this image; [] takes yours away. An unknown tag is refused (400).",
    )


class OptionalRatingKeyAuthentication(RatingKeyAuthentication):
    """The rater of the apikey header when one is sent (refused as rating calls refuse a bad key); nobody without."""

    def authenticate(self, request):
        if not (request.headers.get("apikey") or "").strip():
            return None
        return super().authenticate(request)


def _image_or_404(image_id: str) -> Image:
    """An image a rater may have been served: of a public dataset, or a rating check image (which must answer as
    any image does); any other id is unknown."""
    try:
        public_id = uuid.UUID(image_id)
    except ValueError:
        raise APIRefusal(404, UNKNOWN_IMAGE) from None
    image = Image.objects.select_related("dataset").filter(public_id=public_id).first()
    if image is None or not (image.dataset.public or image.is_captcha):
        raise APIRefusal(404, UNKNOWN_IMAGE)
    return image


def _answer(image: Image, mine: list[str]) -> Response:
    return Response({"counts": tags.counts_of(image), "mine": mine})


class TagVocabulary(APIView):
    """`GET /api/v1/tags`: the tags raters may give, with their labels. Open to anyone."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="list_tags",
        summary="The tags raters may give an image",
        tags=["rating"],
        responses={200: TagSerializer(many=True), **errors(429)},
    )
    def get(self, request: Request) -> Response:
        return Response([{"tag": tag, "label": label} for tag, label in tags.vocabulary()])


class ImageTags(APIView):
    """`GET` and `PUT /api/v1/image/<image_id>/tags`: an image's tag counts and the caller's tags; set the caller's."""

    authentication_classes = [OptionalRatingKeyAuthentication]
    permission_classes: list = []

    def get_authenticators(self):
        if self.request is not None and self.request.method == "PUT":
            return [RatingKeyAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        return [HasRater()] if self.request is not None and self.request.method == "PUT" else []

    @extend_schema(
        operation_id="image_tags",
        summary="An image's tag counts, and your tags of it",
        tags=["rating"],
        parameters=[
            OpenApiParameter(
                "apikey",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Your AI Horde API key: `mine` lists your tags. Without it `mine` is [].",
            ),
        ],
        responses={200: ImageTagsSerializer, **errors(401, 403, 404, 429, 503)},
    )
    def get(self, request: Request, image_id: str) -> Response:
        image = _image_or_404(image_id)
        rater = request.user if isinstance(request.user, Rater) else None
        mine = tags.tags_of(rater, [image])[image.pk] if rater is not None else []
        return _answer(image, mine)

    @extend_schema(
        operation_id="set_image_tags",
        summary="Set your tags of an image",
        description="Your whole set of tags for the image (an empty list takes yours away); answers with the "
        "image's counts and your tags. Tags are taken from raters who may rate, for images being rated.",
        tags=["rating"],
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        request=TagsBodySerializer,
        responses={200: ImageTagsSerializer, **errors(400, 401, 403, 404, 413, 415, 429, 503)},
    )
    def put(self, request: Request, image_id: str) -> Response:
        image = _image_or_404(image_id)
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
            raise APIRefusal(400, BODY_SHAPE)
        mine = tags.set_tags(request.user, image, body["tags"])
        image.refresh_from_db(fields=["tag_counts"])
        return _answer(image, mine)
