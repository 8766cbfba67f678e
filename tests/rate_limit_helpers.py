"""Rate-limit tests count within one one-minute window: start them well inside one."""

import time

from ratings_site.api.throttles import WINDOW_SECONDS


def wait_for_a_fresh_window(room: float = 15.0) -> None:
    """Sleep until at least `room` seconds are left in the current window."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < room:
        time.sleep(left + 0.05)
