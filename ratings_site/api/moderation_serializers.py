"""The shapes of the moderators' calls (shared/horde-wire.md §2): the query parameters they read, and the answers
they write. Shape only: what the numbers mean is decided in `moderation.checks`."""

from __future__ import annotations

from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings_site.datasets.models import Image
from ratings_site.moderation.checks import COMPARISONS, DEFAULT_DIVERGENCE, DEFAULT_MINUTES, average_of
from ratings_site.ratings.models import Rating
from ratings_site.ratings.scales import ARTIFACTS_MAX, ARTIFACTS_MIN, RATING_MAX, RATING_MIN

MAX_MINUTES = 60 * 24 * 366 * 10  # ten years: every rating this site can hold
MAX_DIVERGENCE = RATING_MAX - RATING_MIN
MAX_LIMIT = 1000
MAX_OFFSET = 100_000_000
MAX_MIN_RATINGS = 1_000_000


def absolute_image_url(request: HttpRequest, image: Image) -> str:
    """The image's address as a client can fetch it: a file's path under MEDIA_URL made absolute, a URL as is."""
    return request.build_absolute_uri(image.src)


# The query parameters. Empty values count as absent (clients send `?rating=&rating_comparison=`).


def query_data(request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items() if value.strip()}


class UserCheckQuery(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES, default=DEFAULT_MINUTES)
    divergence = serializers.IntegerField(min_value=0, max_value=MAX_DIVERGENCE, default=DEFAULT_DIVERGENCE)


class RatingFilterQuery(serializers.Serializer):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX, required=False)
    rating_comparison = serializers.ChoiceField(choices=COMPARISONS, default="eq")
    artifacts = serializers.IntegerField(min_value=ARTIFACTS_MIN, max_value=ARTIFACTS_MAX, required=False)
    artifacts_comparison = serializers.ChoiceField(choices=COMPARISONS, default="eq")
    min_ratings = serializers.IntegerField(min_value=0, max_value=MAX_MIN_RATINGS, required=False)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class UserValidateQuery(RatingFilterQuery):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)


class UserRatingsQuery(RatingFilterQuery):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=50)
    diverge = serializers.IntegerField(min_value=0, max_value=MAX_DIVERGENCE, required=False)


# The answers. Numbers are what horde-sdk's models read (`horde_sdk.ratings_api.apimodels`): `average` is always a
# float, never null (tests/test_api_moderator_answers_parse_in_horde_sdk.py).

AVERAGE_HELP = "The image's mean rating (1..10) over its counted ratings; 0.0 while it has none (times_rated 0)."


class ImageRatingSerializer(serializers.Serializer):
    """One rating in `GET /v1/image/ratings/{image_id}`."""

    username = serializers.CharField(source="rater.username", help_text="The rater's Horde username, name#id.")
    rating = serializers.IntegerField(help_text="1 (Terrible) to 10 (Masterpiece).")
    artifacts = serializers.IntegerField(allow_null=True, help_text="0 (Flawless) to 5 (Garbage), or null.")


class ImageRatingsSerializer(serializers.Serializer):
    """`GET /v1/image/ratings/{image_id}`: the image and every rating of it."""

    total = serializers.IntegerField(help_text="The number of ratings listed.")
    image = serializers.CharField(help_text="The image's absolute URL.")
    image_id = serializers.UUIDField()
    average = serializers.FloatField(help_text=AVERAGE_HELP)
    times_rated = serializers.IntegerField(help_text="How many counted ratings the image has.")
    ratings = ImageRatingSerializer(many=True)


def describe_image_ratings(request: HttpRequest, image: Image, ratings: list[Rating]) -> dict:
    return ImageRatingsSerializer(
        {
            "total": len(ratings),
            "image": absolute_image_url(request, image),
            "image_id": image.public_id,
            "average": average_of(image),
            "times_rated": image.ratings_count,
            "ratings": ratings,
        }
    ).data


class UserCheckSerializer(serializers.Serializer):
    """`GET /v1/user/check/{user_id}`."""

    ratings_in_timeframe = serializers.IntegerField(help_text="Ratings in the last `minutes`.")
    ratings_per_minute_in_timeframe = serializers.FloatField()
    ratings_past_three_hours = serializers.IntegerField()
    ratings_per_minute_for_past_three_hours = serializers.FloatField()
    suspect_divergences = serializers.IntegerField(
        help_text="Ratings in the last `minutes` at least `divergence` away from their image's average."
    )
    captchas_failed = serializers.IntegerField(help_text="Captchas answered wrongly or passed over, all time.")


class RatedImageSerializer(serializers.Serializer):
    """One rating with its image, in `GET /v1/user/validate/{user_id}`."""

    image = serializers.SerializerMethodField(help_text="The image's absolute URL.")
    rating = serializers.IntegerField()
    artifacts = serializers.IntegerField(allow_null=True)
    average = serializers.SerializerMethodField(help_text=AVERAGE_HELP)
    times_rated = serializers.IntegerField(
        source="image.ratings_count", help_text="How many counted ratings the image has."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_image(self, rating: Rating) -> str:
        return absolute_image_url(self.context["request"], rating.image)

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_average(self, rating: Rating) -> float:
        return average_of(rating.image)


class UserValidateSerializer(serializers.Serializer):
    """`GET /v1/user/validate/{user_id}`."""

    total = serializers.IntegerField(help_text="Every rating that matched, not only this page's.")
    ratings = RatedImageSerializer(many=True)


class ListedRatingSerializer(RatedImageSerializer):
    """One rating with its rater and image, in `GET /v1/user/ratings/`."""

    username = serializers.CharField(source="rater.username", help_text="The rater's Horde username, name#id.")

    class Meta:
        fields = ("username", "image", "rating", "artifacts", "average", "times_rated")

    def to_representation(self, instance: Rating) -> dict:
        data = super().to_representation(instance)
        return {name: data[name] for name in self.Meta.fields}


class UserRatingsSerializer(serializers.Serializer):
    """`GET /v1/user/ratings/`."""

    total = serializers.IntegerField(help_text="Every rating that matched, not only this page's.")
    ratings = ListedRatingSerializer(many=True)
