"""`POST /api/v1/embed/token`: a client app exchanges its user's Horde key for a short-lived token that opens the
embedded rating pages (/embed/...) in its iframe, so that the key itself never enters the frame (embed.tokens).

Client apps call it from their web page, so it answers CORS for the origins in EMBED_ALLOWED_ORIGINS (and only
them): the preflight, then the call itself. No cookie is involved.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings_site.api.authentication import HasRater, RatingKeyAuthentication
from ratings_site.api.schema import APIKEY_HEADER, CLIENT_AGENT_HEADER, errors
from ratings_site.embed import tokens

CORS_HEADERS = "apikey, Client-Agent, Content-Type"

class TokenRequestSerializer(serializers.Serializer):
    origin = serializers.CharField(
        max_length=300, help_text="The origin of the page that frames ours, e.g. https://artbot.site."
    )

class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Put it in the frame's URL: /embed/rate/?token=…; it works once, in an iframe on the origin's page only."
    )
    expires = serializers.DateTimeField(help_text="The frame must be opened before this moment.")

def _cors(request, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and tokens.origin_allowed(origin):
        response["Access-Control-Allow-Origin"] = origin.rstrip("/")
        response["Access-Control-Allow-Headers"] = CORS_HEADERS
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response

class EmbedToken(APIView):
    authentication_classes = [RatingKeyAuthentication]
    permission_classes = [HasRater]

    def dispatch(self, request, *args, **kwargs):
        if request.method == "OPTIONS":  # the browser's CORS preflight: no key is sent with it
            return _cors(request, HttpResponse(status=204))
        return _cors(request, super().dispatch(request, *args, **kwargs))

    @extend_schema(
        operation_id="embed_token",
        summary="A token that opens the embedded rating pages",
        tags=["embed"],
        parameters=[APIKEY_HEADER, CLIENT_AGENT_HEADER],
        request=TokenRequestSerializer,
        responses={201: TokenSerializer, **errors(400, 401, 403, 413, 415, 429, 503)},
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = tokens.issue(rater=request.user, origin=form.validated_data["origin"])
        return Response({"token": issued.token, "expires": issued.expires.isoformat()}, status=201)
