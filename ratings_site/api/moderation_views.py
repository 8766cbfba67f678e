"""The moderators' calls (shared/horde-wire.md §2): an image's ratings, and a Horde account's pace, divergences
and ratings. Horde moderators and the site's staff only, by the `apikey` header; the queries and their rules
live in `moderation.checks`.

`user_id` in a path is the Horde id (0: every anonymous rater together); `image_id` is the image's public id.
JSON by default; `?format=html` answers a readable page with the same data (templates/api/), each rater linked to
their rater page in the admin. Refusals are always JSON `{"message"}`, whatever the format asked.

The pages (`format=html`, and no `apikey` header) also open for a moderator logged in to the admin, by their
session (`ModeratorSessionForPages`), so that a moderator's browser reaches them; the JSON answers keep needing
the key, as every API call does.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings_site.api.authentication import HordeAPIKeyAuthentication
from ratings_site.api.exceptions import APIRefusal
from ratings_site.api.moderation_serializers import (
    ImageRatingsSerializer,
    UserCheckQuery,
    UserCheckSerializer,
    UserRatingsQuery,
    UserRatingsSerializer,
    UserValidateQuery,
    UserValidateSerializer,
    describe_image_ratings,
    query_data,
)
from ratings_site.api.schema import APIKEY_HEADER, errors
from ratings_site.horde.client import ANONYMOUS_API_KEY
from ratings_site.moderation import checks
from ratings_site.raters.models import Rater
from ratings_site.raters.moderator_rights import is_moderator

NOT_A_MODERATOR = "Only the Horde's moderators and this site's staff may use the moderators' calls."
NO_KEY = "Send your Horde API key in the apikey header: these calls are for the Horde's moderators."


class IsModeratorOrStaff(BasePermission):
    """A moderator, as the admin and /stats/ tell one (raters.moderator_rights.is_moderator); never the anonymous
    key."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if isinstance(user, Rater):
            if is_moderator(user):
                return True
            raise PermissionDenied(NOT_A_MODERATOR)
        if (request.headers.get("apikey") or "").strip() == ANONYMOUS_API_KEY:
            raise PermissionDenied(NOT_A_MODERATOR)
        raise NotAuthenticated(NO_KEY)


class ModeratorKeyAuthentication(HordeAPIKeyAuthentication):
    """The rater of the `apikey` header, as for every API call; the anonymous key is refused at once, with a
    message that says why (no moderator is anonymous), before anything is asked of the Horde."""

    def authenticate(self, request: Request) -> tuple[Rater, None]:
        if (request.headers.get("apikey") or "").strip() == ANONYMOUS_API_KEY:
            raise PermissionDenied(NOT_A_MODERATOR)
        return super().authenticate(request)


class ModeratorSessionForPages(BaseAuthentication):
    """The moderator logged in to the admin, for the HTML pages only (`format=html` without an `apikey` header):
    `is_moderator` on the session's user. Their rights follow the Horde on these pages as in the admin
    (raters.middleware). Anything else is left to the key (ModeratorKeyAuthentication). These calls are GETs,
    which change nothing, so no CSRF token is asked."""

    def authenticate(self, request: Request) -> tuple[Rater, None] | None:
        if "apikey" in request.headers or request.query_params.get("format") != "html":
            return None
        user = getattr(request._request, "user", None)
        return (user, None) if is_moderator(user) else None

    def authenticate_header(self, request: Request) -> str:
        """The key's, as the refusal asks for it (DRF takes the first authenticator's: without one, 401 turns 403)."""
        return ModeratorKeyAuthentication().authenticate_header(request)


def rater_page(rater_id: int) -> str:
    """The rater's page in the admin (moderation.admin_raters)."""
    return reverse("admin:raters_rater_change", args=[rater_id])


def account_page(horde_id: int) -> str:
    """Where the admin shows a Horde account: its rater's page, or the list of the raters with that id (every
    anonymous rater shares the id 0)."""
    raters = list(Rater.objects.filter(horde_id=horde_id).values_list("pk", flat=True)[:2])
    if len(raters) == 1:
        return rater_page(raters[0])
    return f"{reverse('admin:raters_rater_changelist')}?q={horde_id}"


def with_rater_pages(rows: list[dict], ratings: list) -> list[dict]:
    """The answer's rows, each with its rater's page (`rater_page`), for the HTML page."""
    return [{**row, "rater_page": rater_page(rating.rater_id)} for row, rating in zip(rows, ratings)]


class FormatParameterNegotiation(DefaultContentNegotiation):
    """The answer's format is the `format` query parameter alone (json when absent), not the Accept header; any
    other value is a 400."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        wanted = (request.query_params.get("format") or "").strip() or "json"
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        known = " or ".join(renderer.format for renderer in renderers)
        raise APIRefusal(400, f"format: must be {known}.")


class ModerationPageRenderer(TemplateHTMLRenderer):
    """The HTML page of a moderators' call: its template, given the answer's fields and the page's title."""

    def get_template_context(self, data: dict, renderer_context: dict) -> dict:
        view = renderer_context["view"]
        kwargs = renderer_context.get("kwargs", {})
        return {**data, "page_title": view.page_title(**kwargs), **view.page_links(data, **kwargs)}


class ModeratorCall(APIView):
    authentication_classes = [ModeratorSessionForPages, ModeratorKeyAuthentication]
    permission_classes = [IsModeratorOrStaff]
    renderer_classes = [JSONRenderer, ModerationPageRenderer]
    content_negotiation_class = FormatParameterNegotiation
    template_name = ""
    listed: list | None = None  # the ratings of the answer's rows, for their raters' pages

    def page_title(self, **kwargs: str) -> str:
        return "Moderators' call"

    def page_links(self, data: dict, **kwargs: str) -> dict:
        """What the HTML page adds to the answer's data: links to the raters' pages in the admin, for the account
        of the path (`rater_page`) and for each rating listed (`listed`, set by the call: the rows' ratings)."""
        links = {}
        if "user_id" in kwargs:
            links["rater_page"] = account_page(checks.horde_id_from(kwargs["user_id"]))
        if self.listed is not None:
            links["ratings"] = with_rater_pages(data["ratings"], self.listed)
        return links

    def handle_exception(self, exc: Exception) -> Response:
        """Refusals are JSON whatever the format asked."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


def _horde_id(user_id: str) -> int:
    """The Horde id of the path, when a rater here is that account; otherwise a 404."""
    horde_id = checks.horde_id_from(user_id)
    if horde_id is None:
        raise NotFound(f"No rater has the Horde id {user_id[:40]!r}: a Horde id is a whole number, e.g. 1003.")
    if not checks.horde_account_known(horde_id):
        raise NotFound(f"No rater here has the Horde id {horde_id}.")
    return horde_id


def _read(query_class: type, request: Request) -> dict:
    query = query_class(data=query_data(request))
    query.is_valid(raise_exception=True)
    return query.validated_data


FORMAT = OpenApiParameter(
    "format",
    str,
    OpenApiParameter.QUERY,
    enum=["json", "html"],
    default="json",
    description="json (the default), or html for a readable page with the same data.",
)
USER_ID = OpenApiParameter(
    "user_id", int, OpenApiParameter.PATH, description="The Horde id of the account (the number after # in name#id)."
)
COMPARISON_NAMES = ["ge", "le", "eq"]
RATING_FILTERS = [
    OpenApiParameter(
        "rating", int, description="Only ratings that compare with this (1..10) as rating_comparison says."
    ),
    OpenApiParameter(
        "rating_comparison",
        str,
        enum=COMPARISON_NAMES,
        default="eq",
        description="ge: at least, le: at most, eq: exactly `rating`.",
    ),
    OpenApiParameter("artifacts", int, description="Only ratings whose artifacts (0..5) compare with this."),
    OpenApiParameter("artifacts_comparison", str, enum=COMPARISON_NAMES, default="eq"),
    OpenApiParameter("min_ratings", int, description="Only images rated at least this many times."),
    OpenApiParameter("offset", int, default=0, description="Ratings to pass over, newest first."),
]


def answers(serializer: type) -> dict:
    """A call's answers for the schema: the serializer as JSON, the same data as an HTML page with
    `format=html`, and each refusal, always JSON `{"message"}`."""
    return {
        (200, JSONRenderer.media_type): serializer,
        (200, TemplateHTMLRenderer.media_type): OpenApiResponse(
            OpenApiTypes.STR, description="With format=html: a page showing the same data."
        ),
        **{(code, JSONRenderer.media_type): answer for code, answer in errors(400, 401, 403, 404, 429, 503).items()},
    }


class ImageRatings(ModeratorCall):
    """`GET /api/v1/image/ratings/{image_id}`: an image and every rating of it, with each rater's name."""

    template_name = "api/image_ratings.html"

    def page_title(self, **kwargs: str) -> str:
        return f"Ratings of image {kwargs.get('image_id', '')}"

    @extend_schema(
        operation_id="image_ratings",
        summary="An image's ratings (moderators)",
        parameters=[
            APIKEY_HEADER,
            OpenApiParameter("image_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The image's id."),
            FORMAT,
        ],
        responses=answers(ImageRatingsSerializer),
    )
    def get(self, request: Request, image_id: str) -> Response:
        image = checks.image_by_public_id(image_id)
        if image is None:
            raise NotFound("No image has this id.")
        self.listed = checks.ratings_of_image(image)
        return Response(describe_image_ratings(request, image, self.listed))


class UserCheck(ModeratorCall):
    """`GET /api/v1/user/check/{user_id}?minutes=60&divergence=3`: how fast a Horde account rates, how often far
    from everyone else, and how many captchas it failed."""

    template_name = "api/user_check.html"

    def page_title(self, **kwargs: str) -> str:
        return f"Check of Horde account {kwargs.get('user_id', '')}"

    @extend_schema(
        operation_id="user_check",
        summary="A Horde account's pace and divergences (moderators)",
        parameters=[
            APIKEY_HEADER,
            USER_ID,
            OpenApiParameter("minutes", int, default=checks.DEFAULT_MINUTES, description="The timeframe, in minutes."),
            OpenApiParameter(
                "divergence",
                int,
                default=checks.DEFAULT_DIVERGENCE,
                description="A rating at least this far from its image's average is suspect.",
            ),
            FORMAT,
        ],
        responses=answers(UserCheckSerializer),
    )
    def get(self, request: Request, user_id: str) -> Response:
        query = _read(UserCheckQuery, request)
        horde_id = _horde_id(user_id)
        check = checks.check_account(horde_id, minutes=query["minutes"], divergence=query["divergence"])
        return Response(UserCheckSerializer(check).data)


class UserValidate(ModeratorCall):
    """`GET /api/v1/user/validate/{user_id}`: a Horde account's ratings, newest first, filtered by score,
    artifacts and how often their images were rated; `limit` (at most 1000) and `offset` page them."""

    template_name = "api/user_validate.html"

    def page_title(self, **kwargs: str) -> str:
        return f"Ratings of Horde account {kwargs.get('user_id', '')}"

    @extend_schema(
        operation_id="user_validate",
        summary="A Horde account's ratings, filtered (moderators)",
        parameters=[
            APIKEY_HEADER,
            USER_ID,
            *RATING_FILTERS,
            OpenApiParameter("limit", int, default=100, description="Ratings in this page, at most 1000."),
            FORMAT,
        ],
        responses=answers(UserValidateSerializer),
    )
    def get(self, request: Request, user_id: str) -> Response:
        query = _read(UserValidateQuery, request)
        horde_id = _horde_id(user_id)
        ratings = checks.filtered_ratings(
            checks.ratings_of_account(horde_id),
            rating=query.get("rating"),
            rating_comparison=query["rating_comparison"],
            artifacts=query.get("artifacts"),
            artifacts_comparison=query["artifacts_comparison"],
            min_ratings=query.get("min_ratings"),
        )
        page = checks.page_of(ratings, limit=query["limit"], offset=query["offset"])
        return Response(UserValidateSerializer(page, context={"request": request}).data)


class UserRatings(ModeratorCall):
    """`GET /api/v1/user/ratings/`: every rater's ratings, newest first; `diverge=N` keeps those at least N away
    from their image's average. `limit` (default 50, at most 1000) and `offset` page them."""

    template_name = "api/user_ratings.html"

    def page_title(self, **kwargs: str) -> str:
        return "Latest ratings"

    @extend_schema(
        operation_id="user_ratings",
        summary="Every rater's latest ratings (moderators)",
        parameters=[
            APIKEY_HEADER,
            OpenApiParameter("limit", int, default=50, description="Ratings in this page, at most 1000."),
            OpenApiParameter("diverge", int, description="Only ratings at least this far from their image's average."),
            *RATING_FILTERS,
            FORMAT,
        ],
        responses=answers(UserRatingsSerializer),
    )
    def get(self, request: Request) -> Response:
        query = _read(UserRatingsQuery, request)
        ratings = checks.filtered_ratings(
            checks.all_ratings(),
            rating=query.get("rating"),
            rating_comparison=query["rating_comparison"],
            artifacts=query.get("artifacts"),
            artifacts_comparison=query["artifacts_comparison"],
            min_ratings=query.get("min_ratings"),
            diverge=query.get("diverge"),
        )
        page = checks.page_of(ratings, limit=query["limit"], offset=query["offset"])
        self.listed = page.ratings
        return Response(UserRatingsSerializer(page, context={"request": request}).data)
