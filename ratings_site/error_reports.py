"""What an error report (the mail ADMINS get for a 500) may show: never a Horde API key.

Django hides POST fields a view names with `sensitive_post_parameters` (the login view names `apikey`), but
only once that view runs: an error raised earlier, in a middleware (a broken session store, a database that
went away), reports the login form's POST as it came, key and all. This filter hides `apikey` in every POST,
whichever code raised, and in DEBUG's page too. Headers need nothing more: Django already hides META names
that contain API, KEY, TOKEN or SECRET (an `apikey` header is HTTP_APIKEY), and settings with those names.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, QueryDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from ratings_site.horde.client import scrub_keys

# Form fields that carry a Horde API key, wherever they are posted.
KEY_FIELDS = ("apikey",)


class KeyHidingReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None) -> QueryDict | dict:
        parameters = super().get_post_parameters(request)
        if request is None or not any(field in parameters for field in KEY_FIELDS):
            return parameters
        cleansed = parameters.copy()
        for field in KEY_FIELDS:
            if field in cleansed:
                cleansed[field] = self.cleansed_substitute
        return cleansed


class KeyScrubbingExceptionReporter(ExceptionReporter):
    """The report itself (mail text and HTML, DEBUG's page) passed through the one key scrubber
    (`horde.client.scrub_keys`): a key that an exception's message or a local variable repeats is blanked too."""

    def get_traceback_text(self) -> str:
        return scrub_keys(super().get_traceback_text())

    def get_traceback_html(self) -> str:
        return scrub_keys(super().get_traceback_html())


class OneDatabaseOutageMailPerWindow(logging.Filter):
    """For the admins' mail handler: a report of the database not answering (OperationalError, InterfaceError: the
    requests that views.server_error answers with a 503) passes once per DATABASE_OUTAGE_MAIL_SECONDS in this
    process, so that a restart or an outage sends each web process's first report, not one per failed request (a
    minute's outage under load was hundreds of mails). Every other report passes. Kept in the process: the database
    and the database cache are what is away."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.last_sent: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, OperationalError | InterfaceError):
            return True
        now = time.monotonic()
        with self._lock:
            if self.last_sent is not None and now - self.last_sent < settings.DATABASE_OUTAGE_MAIL_SECONDS:
                return False
            self.last_sent = now
        return True
