"""The Horde's `generate/status` as the set pages ask it: answers cached briefly, look-ups throttled per rater.

Opening a request id the site does not know asks the Horde's `generate/status`. The Horde limits callers by
address, and every rater's page calls it from ours, so one rater reloading (or scripting) the page could get the
whole site limited. Two bounds, both in the shared cache:

- an answer (a status, or "the Horde no longer has it") is kept `GENERATION_STATUS_CACHE_SECONDS` per request id,
  so reloads and parallel pages of one request id make one call;
- a rater may make `GENERATION_STATUS_LOOKUPS_PER_MINUTE` calls a minute (answers from the cache do not count);
  beyond that `StatusLookupsThrottled` says when to try again (the page answers 429 with Retry-After).

A Horde that is down or slow is not cached: the next visit asks again (and counts).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from ratings_site.horde.client import GenerationStatus, RequestNotFound, generation_status
from ratings_site.raters.models import Rater
from ratings_site.refusals import Refusal

_ANSWER_KEY = "generations:status:{request_id}"
_LOOKUPS_KEY = "generations:status-lookups:{rater}:{window}"
_GONE = "gone"  # the cached "RequestNotFound"
WINDOW_SECONDS = 60


class StatusLookupsThrottled(Refusal):
    """The rater asked the Horde about too many request ids this minute; `retry_after` in whole seconds."""

    code = "status_lookups_throttled"
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(f"Too many look-ups of request ids: try again in {retry_after} s", retry_after=retry_after)


def status_for(request_id: str, *, rater: Rater) -> GenerationStatus:
    """The Horde's status of `request_id` (canonical), from the cache or from one call counted against `rater`.

    Raises what `generation_status` raises (RequestNotFound, cached too; HordeUnavailable, HordeTimeout), and
    StatusLookupsThrottled before any call when the rater used up this minute's look-ups.
    """
    key = _ANSWER_KEY.format(request_id=request_id)
    cached = cache.get(key)
    if cached == _GONE:
        raise RequestNotFound(404, "The Horde no longer has this request.", "RequestNotFound")
    if isinstance(cached, GenerationStatus):
        return cached
    _count_lookup(rater)
    try:
        # A rater is watching and a web thread is held meanwhile: the page waits no longer than a login does.
        status = generation_status(request_id, timeout=min(settings.HORDE_LOGIN_TIMEOUT, settings.HORDE_TIMEOUT))
    except RequestNotFound:
        cache.set(key, _GONE, settings.GENERATION_STATUS_CACHE_SECONDS)
        raise
    cache.set(key, status, settings.GENERATION_STATUS_CACHE_SECONDS)
    return status


def _count_lookup(rater: Rater) -> None:
    """Count one call of the Horde for `rater` in this minute's window; refuse beyond the limit."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = _LOOKUPS_KEY.format(rater=rater.pk, window=window)
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, WINDOW_SECONDS * 2)
        count = 1
    if count > settings.GENERATION_STATUS_LOOKUPS_PER_MINUTE:
        raise StatusLookupsThrottled(max(int((window + 1) * WINDOW_SECONDS - now) + 1, 1))
