"""The raters' calls of the ratings API v1 (shared/horde-wire.md §2): the datasets, the one-by-one queue and
rating an image. Thin: each view reads its input, calls the same selectors and services as the rate page
(ratings.selectors, ratings.services: the queue, captchas, pauses, the flood limit, the kudos ledger) and answers
JSON; every refusal is `{"message", "code"}`, translated once by api.errors.
"""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings_site.api.authentication import HasRater, RatingKeyAuthentication
from ratings_site.api.exceptions import APIRefusal
from ratings_site.api.schema import APIKEY_HEADER, CLIENT_AGENT_HEADER, errors
from ratings_site.compiled_queries import OneRowQuery
from ratings_site.datasets.models import Dataset, Image
from ratings_site.ratings import scales, selectors, services
from ratings_site.ratings.models import ServedImage

CLIENT_AGENT_MAX = 200  # Rating.client_agent


class DatasetSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    image_count = serializers.IntegerField(help_text="Images shown to raters (a stored counter, refreshed hourly).")


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    team_name = serializers.CharField()
    is_private = serializers.BooleanField()


class NextImageSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The image's id: POST your rating to /api/v1/rating/{id}.")
    url = serializers.URLField(help_text="The image, an absolute URL.")
    dataset_id = serializers.UUIDField()


class RatingBodySerializer(serializers.Serializer):
    """For the schema only: the body is read by ratings.services (the one copy of the scales' rules)."""

    rating = serializers.IntegerField(min_value=1, max_value=10, help_text="1 (Terrible) to 10 (Masterpiece).")
    artifacts = serializers.IntegerField(
        min_value=0, max_value=5, required=False, allow_null=True, help_text="0 (Flawless) to 5 (Garbage); optional."
    )


class RatedSerializer(serializers.Serializer):
    reward = serializers.IntegerField(help_text="Kudos earned by this rating (0 for the anonymous key).")
    message = serializers.CharField()


# The rated image, its dataset and when rating/new served it to this rater (`ratings.services.served_at`, read in the
# image's own query; a page's hold is no serve of the API's): one query, compiled once (OneRowQuery).
_image_rated = OneRowQuery(
    lambda public_id, rater: (
        Image.objects.select_related("dataset")
        .annotate(
            served_at_to_rater=Subquery(
                ServedImage.objects.filter(rater=rater, image=OuterRef("pk"), hold_only=False).values("served_at")[:1]
            )
        )
        .filter(public_id=public_id)[:1]
    ),
    public_id=Image._meta.get_field("public_id"),
    rater=ServedImage._meta.get_field("rater"),
)
# The public dataset of rating/new/<dataset_id>.
_public_dataset = OneRowQuery(
    lambda public_id: Dataset.objects.filter(public_id=public_id, public=True)[:1],
    public_id=Dataset._meta.get_field("public_id"),
)


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


class Datasets(APIView):
    """`GET /api/v1/datasets`: the public datasets, with their stored image counts. Open to anyone."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="list_datasets",
        summary="The datasets being rated",
        responses={200: DatasetSerializer(many=True), **errors(429)},
    )
    def get(self, request: Request) -> Response:
        datasets = Dataset.objects.filter(public=True).order_by("name")
        return Response(DatasetSerializer(datasets, many=True).data)


class Teams(APIView):
    """`GET /api/v1/teams`: rating teams. None exist yet, so an empty list (the shape clients expect)."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="list_teams",
        summary="The rating teams (none yet)",
        responses={200: TeamSerializer(many=True), **errors(429)},
    )
    def get(self, request: Request) -> Response:
        return Response([])


class NextImage(APIView):
    """`GET /api/v1/rating/new[/<dataset_id>[/<model_name>]]`: the next image for this rater, as the rate page
    serves it (the same queue, the same captchas)."""

    authentication_classes = [RatingKeyAuthentication]
    permission_classes = [HasRater]

    @extend_schema(
        operation_id="next_image",
        summary="The next image to rate",
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        responses={200: NextImageSerializer, **errors(401, 403, 404, 429, 503)},
    )
    def get(self, request: Request, dataset_id: str | None = None, model_name: str | None = None) -> Response:
        rater = request.user
        dataset = None
        if dataset_id is not None:
            public_id = _parse_uuid(dataset_id)
            dataset = _public_dataset.get(public_id=public_id) if public_id else None
            if dataset is None:
                raise APIRefusal(404, "No dataset has this id. GET /api/v1/datasets lists them.")
        services.check_may_rate(rater)  # paused: 429 with Retry-After, before an image is served
        image = selectors.next_image_for(rater, dataset=dataset, model_name=model_name or None)
        if image is None:
            where = f" in {dataset.name}" if dataset else ""
            raise APIRefusal(404, f"There are no more images for you to rate{where} right now. Thank you!")
        services.record_served(rater, image, every_image=True)  # the start of its look time (RATING_MIN_SECONDS)
        shown = selectors.dataset_shown_for(image) or image.dataset
        return Response(
            {
                "id": str(image.public_id),
                "url": request.build_absolute_uri(image.src),
                "dataset_id": str(shown.public_id),
            }
        )


class NextImageInDataset(NextImage):
    """`GET /api/v1/rating/new/<dataset_id>`: the next image of one dataset."""

    @extend_schema(
        operation_id="next_image_in_dataset",
        summary="The next image to rate in one dataset",
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        responses={200: NextImageSerializer, **errors(401, 403, 404, 429, 503)},
    )
    def get(self, request: Request, dataset_id: str) -> Response:
        return super().get(request, dataset_id)


class NextImageInDatasetForModel(NextImage):
    """`GET /api/v1/rating/new/<dataset_id>/<model_name>`: the next image of one dataset made by one model."""

    @extend_schema(
        operation_id="next_image_in_dataset_for_model",
        summary="The next image to rate in one dataset, generated by one model",
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        responses={200: NextImageSerializer, **errors(401, 403, 404, 429, 503)},
    )
    def get(self, request: Request, dataset_id: str, model_name: str) -> Response:
        return super().get(request, dataset_id, model_name)


class RateImage(APIView):
    """`POST /api/v1/rating/<image_id>` `{"rating": 1..10, "artifacts": 0..5?}`: 201 `{"reward", "message"}`.

    400 for a bad rating, artifacts or body; 403 when this rater already rated the image, or may not rate it, or
    it has all its ratings, or rating/new never served it to them (clients skip to the next image); 404 for an
    unknown image, or one not being rated (hidden, broken, NSFW, ...: its `code` says which); 429 with Retry-After while the rater is paused, and for a rating sent sooner than
    RATING_MIN_SECONDS after rating/new served its image (nothing is stored: send it again after Retry-After).
    """

    authentication_classes = [RatingKeyAuthentication]
    permission_classes = [HasRater]

    @extend_schema(
        operation_id="rate_image",
        summary="Rate one image",
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        request=RatingBodySerializer,
        responses={201: RatedSerializer, **errors(400, 401, 403, 404, 413, 415, 429, 503)},
    )
    def post(self, request: Request, image_id: str) -> Response:
        public_id = _parse_uuid(image_id)
        image = _image_rated.get(public_id=public_id, rater=request.user.pk) if public_id else None
        if image is None:
            raise APIRefusal(404, "No image has this id. GET /api/v1/rating/new for the next one.")
        body = request.data
        if not isinstance(body, dict):
            raise APIRefusal(400, 'The body must be a JSON object: {"rating": 1..10, "artifacts": 0..5}.')
        served_at = image.served_at_to_rater
        if served_at is None:  # never handed out by rating/new: refused alike for every kind of image
            services.check_looked_long_enough(served_at)
        services.check_rateable(image)  # not being rated (hidden, NSFW, ...): says why before the scores are judged
        outcome = services.rate_image(
            rater=request.user,
            image=image,
            rating=body.get("rating"),
            artifacts=body.get("artifacts"),
            client_agent=(request.headers.get("Client-Agent") or "")[:CLIENT_AGENT_MAX],
            served_at=served_at,
        )
        if outcome.duplicate:
            raise APIRefusal(403, "You already rated this image. GET /api/v1/rating/new for the next one.")
        return Response({"reward": outcome.reward, "message": _message(outcome)}, status=201)


def _message(outcome: services.RatingOutcome) -> str:
    if outcome.captcha and not outcome.captcha_passed:
        return outcome.message
    saved = "Rating saved: " + scales.describe_score(outcome.rating, outcome.artifacts) + "."
    if outcome.reward:
        saved += f" +{outcome.reward} kudos."
    return f"{saved} {outcome.message}".strip()
