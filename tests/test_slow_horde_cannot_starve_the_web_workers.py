"""With the Horde answering in 8 s, logins waiting on it do not hold up the rest of the site.

The README's gunicorn command serves the site with two workers (the set-up where the probe saw /healthz
take 9.6 s); four logins wait on the slow Horde at once while /healthz and the login page are asked for.
"""

from __future__ import annotations

import threading
import time

from tests.served_site import served_site  # noqa: F401


def test_healthz_and_pages_answer_at_once_while_four_logins_wait_on_the_horde(served_site, horde):  # noqa: F811
    site = served_site(workers=2)
    horde.delay_seconds = 8.0
    results: list[int] = []
    logins = [
        threading.Thread(target=lambda n=n: results.append(site.post_login(f"demo-rater-000{n}")[0]))
        for n in (1, 6, 7, 1)
    ]
    for thread in logins:
        thread.start()
    time.sleep(1.0)  # the four are now waiting on the Horde

    started = time.monotonic()
    assert site.get("/healthz", timeout=20)[0] == 200
    healthz_seconds = time.monotonic() - started
    started = time.monotonic()
    assert site.get("/login/", timeout=20)[0] == 200
    page_seconds = time.monotonic() - started

    assert healthz_seconds < 1.0, f"/healthz took {healthz_seconds:.1f}s"
    assert page_seconds < 1.0, f"/login/ took {page_seconds:.1f}s"
    horde.delay_seconds = 0
    for thread in logins:
        thread.join(timeout=30)
    assert len(results) == 4
