"""The API reads JSON bodies only (Content-Type application/json), of a bounded size, strictly (no NaN), and nested
at most MAX_BODY_DEPTH levels: no call's body needs more, and deeper ones would reach Python's recursion limit in
whatever walks them next (a serializer, a check, json.dumps), giving a 500 and a wall of log lines."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from ratings_site.api.exceptions import APIRefusal

# Far more than any call needs (a registration of 20 images with long prompts is a few tens of KB).
MAX_BODY_BYTES = 256 * 1024
# Far more than any call needs too (a registration's params are read to MAX_PARAMS_DEPTH, 20, inside the body).
MAX_BODY_DEPTH = 32


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value has lists or objects more than `limit` levels deep ({"a": 1} is one level).
    Walks without recursion, so that no depth can reach the recursion limit, and stops at the first too deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONBodyParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > MAX_BODY_BYTES:
            raise APIRefusal(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise APIRefusal(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
        too_deep = f"The body is nested too deeply (more than {MAX_BODY_DEPTH} levels of lists and objects)."
        try:
            body = json.loads(raw.decode("utf-8"), parse_constant=strict_constant)
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8 text.") from None
        except ValueError as exc:
            raise ParseError(f"The body is not JSON ({exc}).") from None
        except RecursionError:  # e.g. "[[[[…": far deeper than the limit, refused by the parser itself
            raise ParseError(too_deep) from None
        if nested_deeper_than(body, MAX_BODY_DEPTH):
            raise ParseError(too_deep)
        return body
