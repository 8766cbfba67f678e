"""The API's views: thin. Each reads its input with a serializer, calls one operation of the generations app
and answers JSON; every refusal is `{"message"}` (api.errors)."""

from __future__ import annotations

import logging

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings_site.api.authentication import FromTheHorde, HasRater, HordeAPIKeyAuthentication
from ratings_site.api.schema import CLIENT_AGENT_HEADER, ErrorSerializer, errors
from ratings_site.api.serializers import (
    DescribedSetSerializer,
    HordeSetSerializer,
    IntakeAnswerSerializer,
    RegistrationSerializer,
    describe_set,
)
from ratings_site.generations.copies import schedule_copies
from ratings_site.generations.intake import (
    IntakeRefused,
    RegisteredImage,
    register_generation_set,
    take_horde_set,
)

logger = logging.getLogger(__name__)

OWN_APIKEY_HEADER = OpenApiParameter(
    "apikey",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Your own AI Horde API key (the anonymous key is refused: its sets would have no owner).",
)
RATINGS_SET_TOKEN_HEADER = OpenApiParameter(
    "X-Ratings-Set-Token",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: the shared secret HORDE_RATINGS_SET_TOKEN, for an operator's own proxy of the Horde's call. "
    "The Horde itself sends no credential: it is known by its address (HORDE_RATINGS_SET_ALLOWED_IPS).",
)


class RegisterGenerationSet(APIView):
    """`POST /api/v1/generations` (header `apikey`): a client registers a set ahead of its rating.

    201 with the set when this call made it; 200 with the set when it was known (the same registration again,
    or one that filled in what the set did not know); 403 when another rater owns the request id or the key is
    anonymous; 409 when it would change what the set holds; 400 on a malformed body.
    """

    authentication_classes = [HordeAPIKeyAuthentication]
    permission_classes = [HasRater]

    @extend_schema(
        operation_id="register_generation_set",
        summary="Register a generation set before rating it",
        tags=["generations"],
        parameters=[OWN_APIKEY_HEADER, CLIENT_AGENT_HEADER],
        request=RegistrationSerializer,
        responses={
            201: OpenApiResponse(DescribedSetSerializer, description="Registered by this call."),
            200: OpenApiResponse(DescribedSetSerializer, description="Known already (the same registration again)."),
            **errors(400, 401, 403, 409, 413, 415, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        form = RegistrationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        registration = register_generation_set(
            rater=request.user,
            request_id=data["request_id"],
            prompt=data["prompt"],
            negative_prompt=data["negative_prompt"],
            params=data["params"],
            images=[RegisteredImage(**image) for image in data["images"]],
            client_agent=request.headers.get("Client-Agent", ""),
        )
        generation_set = registration.generation_set
        if registration.images_to_copy and (registration.created or registration.changed):
            schedule_copies(generation_set.pk)
        return Response(describe_set(generation_set, request), status=201 if registration.created else 200)


class RatedSetIntake(APIView):
    """`POST /api/v1/rating/set`: the Horde forwards a rated set, with no credential: taken from an address in
    HORDE_RATINGS_SET_ALLOWED_IPS, or with the optional HORDE_RATINGS_SET_TOKEN in X-Ratings-Set-Token.

    201 when the rating is recorded; 200 when it is the Horde's forward of a set our site is submitting (noted,
    nothing counted again); 403 only when the set was rated before (the Horde then pays nothing); 401 for any other
    caller, before the body is read (never 403, which the Horde would read as "already rated"); 400 on garbage.
    """

    authentication_classes: list = []
    permission_classes = [FromTheHorde]
    throttle_classes: list = []  # the Horde forwards every rater's sets from its few addresses

    @extend_schema(
        operation_id="take_rated_set",
        summary="The Horde forwards a rated generation set (the Horde only)",
        tags=["generations"],
        parameters=[RATINGS_SET_TOKEN_HEADER],
        request=HordeSetSerializer,
        responses={
            201: OpenApiResponse(IntakeAnswerSerializer, description="The set's rating is recorded."),
            200: OpenApiResponse(IntakeAnswerSerializer, description="This site's own submission, already recorded."),
            401: OpenApiResponse(
                ErrorSerializer,
                description="Not the Horde: not from an address in HORDE_RATINGS_SET_ALLOWED_IPS and no valid "
                "X-Ratings-Set-Token, or the intake is not configured (the message says which setting to set).",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="The set was rated before: the Horde tells its client it appears already rated.",
            ),
            **errors(400, 409, 413, 415, 503),
        },
    )
    def post(self, request: Request) -> Response:
        form = HordeSetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            outcome = take_horde_set(
                request_id=data["set"],
                all_set_ids=data["all_set_ids"],
                username=data["user"]["username"],
                ratings=data.get("ratings"),
                best=data.get("best") or None,
                client_agent=data.get("client_agent") or "",
            )
        except IntakeRefused as exc:
            logger.info("Rated set %s refused by the intake (%s): %s", data["set"], exc.status, exc.message)
            raise
        if outcome.recorded:
            return Response({"message": "The set's rating is recorded."}, status=201)
        return Response({"message": "This set's rating came through this site and is already recorded."}, status=200)


@extend_schema(exclude=True)
class NoSuchCall(APIView):
    """Any other path under /api/: a JSON 404 (paths have no trailing slash)."""

    authentication_classes: list = []
    permission_classes: list = []

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("No such API call. Paths have no trailing slash, e.g. /api/v1/generations.")
