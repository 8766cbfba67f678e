"""Keys a rater mistypes or an attacker crafts never reach what the server prints, and never crash login.

The README's gunicorn command serves the site (DEBUG off, LOG_LEVEL=DEBUG) against the stand-in Horde;
bad keys are POSTed to /login/ as a browser would, and everything the server printed is searched for them,
raw and in every escaped form a traceback or a log line could take.
"""

from __future__ import annotations

import urllib.parse

from tests.served_site import served_site  # noqa: F401

BAD_KEYS = [
    "demo-rater-0001\r\nX-Evil: 1",
    "ключ-🔑-demo",
    "demo-rater-0001\x00tail",
    "with space-0001",
]


def _forms_of(key: str) -> set[str]:
    """The key as it could appear in printed text: raw, repr-escaped, UTF-8-escaped, URL-encoded."""
    return {
        key,
        ascii(key)[1:-1],
        repr(key)[1:-1],
        repr(key.encode())[2:-1],
        urllib.parse.quote(key),
        urllib.parse.quote_plus(key),
    }


def test_bad_keys_get_a_clear_400_and_the_server_prints_none_of_them(served_site):  # noqa: F811
    site = served_site()

    for key in BAD_KEYS:
        status, page = site.post_login(key)
        assert status == 400, (key, status, page[:500])
        assert "printable" in page, page[:2000]

    printed = site.output()
    assert "Booting worker" in printed  # the capture works: gunicorn's own lines are in it
    for key in BAD_KEYS:
        for form in _forms_of(key):
            assert form not in printed, f"{form!r} was printed:\n{printed[-4000:]}"
    for fragment in ("X-Evil", "ключ", "🔑", "\\xd0\\xba"):
        assert fragment not in printed, printed[-4000:]
