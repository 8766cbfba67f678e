"""Twenty logins at once while the Horde is slow hold at most HORDE_MAX_CONCURRENT_CALLS threads of a process, so
that pages that do not need the Horde (and /healthz) stay fast; the logins beyond the bound get a quick 503 ("The
Horde is not answering right now") instead of a hang.

One process with the README's threads (8), so that every login meets the same bound; the Horde answers in 4 s,
beyond HORDE_LOGIN_TIMEOUT (3 s). Without the bound, the twenty logins held all 8 threads for 3 s a wave and
/healthz waited for them (the issue's probe saw 11.65 s).
"""

from __future__ import annotations

import threading
import time

from ratings_site.demo.standin import horde_user
from tests.served_site import served_site  # noqa: F401

LOGINS = 20
BOUND = 4  # HORDE_MAX_CONCURRENT_CALLS's default, below the README's 8 threads


def test_healthz_stays_fast_and_the_logins_beyond_the_bound_get_a_quick_503(served_site, horde):  # noqa: F811
    site = served_site(workers=1)
    for n in range(LOGINS):
        horde.add_user(f"bound-key-{n:04d}", horde_user(f"Bound#{5000 + n}", 5000 + n))
    horde.delay_seconds = 4.0
    answers: list[tuple[int, float, str]] = []

    def login(n: int) -> None:
        started = time.monotonic()
        status, body = site.post_login(f"bound-key-{n:04d}", timeout=60)
        answers.append((status, time.monotonic() - started, body))

    logins = [threading.Thread(target=login, args=(n,)) for n in range(LOGINS)]
    for thread in logins:
        thread.start()
    time.sleep(1.0)  # every login has been sent; those that got a slot wait on the Horde

    started = time.monotonic()
    assert site.get("/healthz", timeout=30)[0] == 200
    healthz_seconds = time.monotonic() - started
    started = time.monotonic()
    assert site.get("/login/", timeout=30)[0] == 200
    page_seconds = time.monotonic() - started
    for thread in logins:
        thread.join(timeout=60)
    horde.delay_seconds = 0

    assert healthz_seconds < 1.0, f"/healthz took {healthz_seconds:.2f}s"
    assert page_seconds < 1.0, f"/login/ took {page_seconds:.2f}s"
    assert len(answers) == LOGINS
    assert all(status == 503 and "The Horde is not answering right now" in body for status, _, body in answers)
    quick = sorted(seconds for _, seconds, _ in answers)[: LOGINS - BOUND]
    assert quick[-1] < 2.0, f"the logins beyond the bound took up to {quick[-1]:.2f}s"
    assert len([r for r in horde.requests if r["path"] == "/v2/find_user"]) <= BOUND  # the others never sent
