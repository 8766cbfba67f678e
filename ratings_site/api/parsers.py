"""The API reads JSON bodies only (Content-Type application/json), of a bounded size, strictly (no NaN)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from ratings_site.api.exceptions import APIRefusal

# Far more than any call needs (a registration of 20 images with long prompts is a few tens of KB).
MAX_BODY_BYTES = 256 * 1024


class JSONBodyParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > MAX_BODY_BYTES:
            raise APIRefusal(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise APIRefusal(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=strict_constant)
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8 text.") from None
        except ValueError as exc:
            raise ParseError(f"The body is not JSON ({exc}).") from None
        except RecursionError:  # e.g. "[[[[…": nested deeper than any call's body
            raise ParseError("The body is nested too deeply.") from None
