"""Whatever goes wrong, a Horde key the site has handled is never printed: log records are scrubbed in one place.

A key reaches the scrubber's memory when the site sends it to the Horde or a rater submits it; any log
record made after that (its message, its arguments, its traceback) shows `[apikey]` instead, in every
escaped form the key could take in a traceback.
"""

from __future__ import annotations

import logging

from ratings_site.horde import client as horde_client

KEY = "Xq7pLmN2vR8sT4wY6zA1bC"


def _log_an_error_carrying(key: str, caplog) -> str:
    logger = logging.getLogger("ratings_site.some.task")
    try:
        raise ValueError(f"Invalid header value {key.encode()!r} for {key}")
    except ValueError:
        logger.exception("Payment for %s failed", key)
    handler = logging.StreamHandler()
    return "\n".join(handler.format(record) for record in caplog.records)


def test_a_key_sent_to_the_horde_is_scrubbed_from_messages_arguments_and_tracebacks(db, caplog):
    try:
        horde_client.find_user(KEY)
    except horde_client.InvalidAPIKey:
        pass

    printed = _log_an_error_carrying(KEY, caplog)

    assert "Payment for [apikey] failed" in printed
    assert "ValueError: Invalid header value b'[apikey]' for [apikey]" in printed
    assert KEY not in printed


def test_a_malformed_key_is_scrubbed_in_its_escaped_forms_too(db, caplog):
    key = "demo-rater-0001\r\nX-Evil: 1"
    try:
        horde_client.find_user(key)
    except horde_client.HordeRejected:
        pass

    printed = _log_an_error_carrying(key, caplog)

    assert "X-Evil" not in printed
    assert "demo-rater-0001\\r\\n" not in printed
