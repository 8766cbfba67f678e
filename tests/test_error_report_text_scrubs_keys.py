"""The error report itself (the mail's text and HTML, DEBUG's page) never shows a Horde key, even one that an
exception's message or a local variable repeats: it goes through the one key scrubber."""

from __future__ import annotations

import sys

from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class

from ratings_site.horde.client import check_api_key

KEY = "demo-rater-0001-secret"


def test_a_key_in_an_exception_message_and_a_local_is_blanked_in_text_and_html(db):
    check_api_key(KEY)  # the process has handled this key (a login, a task)
    request = RequestFactory().get("/rate/")
    try:
        apikey = KEY  # noqa: F841 (a local the report lists)
        raise ValueError(f"The Horde refused {KEY}")
    except ValueError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())

    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()

    assert "ValueError" in text and "The Horde refused" in text
    assert KEY not in text
    assert KEY not in html
