"""The shapes the API reads and writes. Shape only: what the values mean is decided by the generations app
(`generations.intake`, and the best-of rule in `generations.rules`)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings_site.api.parsers import nested_deeper_than
from ratings_site.datasets.fetch import ImageURLError, check_image_url
from ratings_site.generations.intake import MAX_IMAGES_PER_SET, IntakeRefused, canonical_request_id
from ratings_site.generations.models import GenerationImage, GenerationSet, Source

MAX_PROMPT_LENGTH = 10_000
MAX_PARAMS_BYTES = 16 * 1024
# The Horde's own parameters are three or four levels deep (params → loras → a lora's fields).
MAX_PARAMS_DEPTH = 20
# The Horde's forward is refused only when it is garbage: lists a little longer than its own cap still pass.
MAX_FORWARDED_IDS = 100


class TextField(serializers.CharField):
    """Text, and only text: a number or a boolean where text belongs is refused, not turned into text."""

    default_error_messages = {"invalid": "Must be text."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "string", "maxLength": 64}, {"type": "integer"}]})
class SeedField(serializers.Field):
    """The Horde sends a seed as text; clients may send it as a whole number."""

    default_error_messages = {"invalid": "Must be text or a whole number, at most 64 characters."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int) or len(str(data)) > 64:
            self.fail("invalid")
        return str(data).strip()

    def to_representation(self, value: Any) -> str:
        return str(value)


@extend_schema_field({"type": "string", "format": "uuid", "maxLength": 64})
class RequestIdField(TextField):
    """The Horde's request id: text (a UUID); `canonical_request_id` judges it."""


def _storable_text(value: Any) -> bool:
    """Whether every text in a JSON value (keys too) can be stored: no NUL, no lone surrogate."""
    if isinstance(value, dict):
        return all(_storable_text(key) and _storable_text(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable_text(item) for item in value)
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)
    return True


def _request_id(value: str) -> str:
    try:
        return canonical_request_id(value)
    except IntakeRefused as exc:
        raise serializers.ValidationError(exc.message) from None


class RegisteredImageSerializer(serializers.Serializer):
    id = TextField(max_length=64)
    url = TextField(max_length=2000, required=False, allow_blank=True, allow_null=True, default="")
    model = TextField(max_length=200, required=False, allow_blank=True, allow_null=True, default="")
    seed = SeedField(required=False, allow_null=True, default="")

    def validate_url(self, value: str | None) -> str:
        if not value:
            return ""
        try:
            return check_image_url(value)
        except ImageURLError as exc:
            raise serializers.ValidationError(f"Not an image URL we can keep: {exc}") from None

    def validate(self, attrs: dict) -> dict:
        return {key: "" if value is None else value for key, value in attrs.items()}


class RegistrationSerializer(serializers.Serializer):
    """`POST /api/v1/generations`: {"request_id", "prompt", "negative_prompt", "params", "images": [...]}."""

    request_id = RequestIdField(max_length=64)
    prompt = TextField(max_length=MAX_PROMPT_LENGTH)
    negative_prompt = TextField(max_length=MAX_PROMPT_LENGTH, required=False, allow_blank=True, allow_null=True,
                                default="")
    params = serializers.DictField(required=False, allow_empty=True, default=dict)
    images = serializers.ListField(
        child=RegisteredImageSerializer(), allow_empty=False, max_length=MAX_IMAGES_PER_SET,
        error_messages={"max_length": f"A set has at most {MAX_IMAGES_PER_SET} images (the Horde's limit)."},
    )

    def validate_request_id(self, value: str) -> str:
        return _request_id(value)

    def validate_negative_prompt(self, value: str | None) -> str:
        return value or ""

    def validate_params(self, value: dict) -> dict:
        if nested_deeper_than(value, MAX_PARAMS_DEPTH):  # first: what follows walks the value recursively
            raise serializers.ValidationError(
                f"The parameters are nested more than {MAX_PARAMS_DEPTH} levels deep (lists and objects)."
            )
        if len(json.dumps(value, allow_nan=False)) > MAX_PARAMS_BYTES:
            raise serializers.ValidationError(f"The parameters take more than {MAX_PARAMS_BYTES // 1024} KB.")
        if not _storable_text(value):
            # PostgreSQL's jsonb refuses NUL characters, and no database takes a lone surrogate.
            raise serializers.ValidationError("The parameters hold a NUL character or a lone surrogate.")
        return value

    def validate_images(self, value: list[dict]) -> list[dict]:
        ids = [image["id"] for image in value]
        repeated = sorted({image_id for image_id in ids if ids.count(image_id) > 1})
        if repeated:
            raise serializers.ValidationError(f"Each image id may be listed once: {', '.join(repeated[:5])}.")
        return value


class HordeUserSerializer(serializers.Serializer):
    """The forward's user: only `username` ("name#id") is needed; the other fields are ignored."""

    username = TextField(max_length=300)


class HordeSetSerializer(serializers.Serializer):
    """The Horde's forward to `POST /api/v1/rating/set` (shared/horde-wire.md §2)."""

    set = RequestIdField(max_length=64)
    all_set_ids = serializers.ListField(
        child=TextField(max_length=64), allow_empty=False, max_length=MAX_FORWARDED_IDS
    )
    client_agent = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    user = HordeUserSerializer()
    ratings = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True,
                                    max_length=MAX_FORWARDED_IDS)
    best = TextField(max_length=64, required=False, allow_blank=True, allow_null=True)

    def validate_set(self, value: str) -> str:
        return _request_id(value)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("ratings") and not attrs.get("best"):
            raise serializers.ValidationError("A rated set has ratings, a best, or both.")
        return attrs


def describe_set(generation_set: GenerationSet, request: HttpRequest) -> dict:
    """The JSON description of a set that a registration answers with."""
    images = list(generation_set.images.order_by("position", "id"))
    return {
        "request_id": generation_set.request_id,
        "prompt": generation_set.prompt,
        "negative_prompt": generation_set.negative_prompt,
        "params": generation_set.params,
        "source": generation_set.source,
        "client_agent": generation_set.client_agent,
        "rated": generation_set.is_rated,
        "created_at": generation_set.created_at.isoformat(),
        "page": request.build_absolute_uri(f"/generations/{generation_set.request_id}/"),
        "images": [_describe_image(image, request) for image in images],
    }


def _describe_image(image: GenerationImage, request: HttpRequest) -> dict:
    copied = image.copy_state == GenerationImage.CopyState.COPIED and image.file
    return {
        "id": image.generation_id,
        "url": image.url,
        "model": image.model,
        "seed": image.seed,
        "state": image.state,
        "copy": image.copy_state,
        "copy_url": request.build_absolute_uri(image.file.url) if copied else None,
    }


# What the answers look like, for the OpenAPI schema (/api/schema/): `describe_set` writes these shapes.


class DescribedImageSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The Horde's generation id.")
    url = serializers.CharField(allow_blank=True, help_text="The Horde's link (it expires); empty when unknown.")
    model = serializers.CharField(allow_blank=True)
    seed = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=GenerationImage.State.choices)
    copy = serializers.ChoiceField(choices=GenerationImage.CopyState.choices, help_text="Our copy of the picture.")
    copy_url = serializers.URLField(allow_null=True, help_text="Our copy's address, once copied.")


class DescribedSetSerializer(serializers.Serializer):
    """The set a registration answers with (`describe_set`)."""

    request_id = serializers.UUIDField(help_text="The Horde's request id.")
    prompt = serializers.CharField()
    negative_prompt = serializers.CharField(allow_blank=True)
    params = serializers.DictField(help_text="The generation parameters, as registered.")
    source = serializers.ChoiceField(choices=Source.choices, help_text="Where the set reached us from.")
    client_agent = serializers.CharField(allow_blank=True)
    rated = serializers.BooleanField(help_text="Whether the set's rating is recorded.")
    created_at = serializers.DateTimeField()
    page = serializers.URLField(help_text="The set's page on this site, where its owner rates it.")
    images = DescribedImageSerializer(many=True)


class IntakeAnswerSerializer(serializers.Serializer):
    """The intake's success: what happened, in words."""

    message = serializers.CharField()
