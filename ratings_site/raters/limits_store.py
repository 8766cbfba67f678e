"""Security state kept in the database, never in the cache: single-use markers and exact counters.

The shared cache may forget anything early (Django's database cache, the default, keeps 300 entries and culls a
third of them on the next write; Redis evicts under memory pressure), and outside Redis its `incr` is a read then a
write that parallel requests overtake. What must be neither forgotten nor miscounted is a `SecurityCount` row:

- `use_once(name, ttl_seconds=...)`: True the first time a marker is used, False after: an INSERT on the primary
  key, so of parallel callers exactly one wins. The embed token's single use (embed.tokens).
- `count_hit(name, window_seconds=..., limit=...)`: one hit in the current window (fixed, aligned to multiples of
  `window_seconds`), counted only while under `limit`: a conditional UPDATE `count = count + 1 WHERE count < limit`,
  which PostgreSQL's row lock orders, so parallel requests let exactly `limit` through. `count_hits` counts
  several names, each under its own limit, in one UPDATE … RETURNING: the API's rate limits, per rater and per
  address.
- `hits(name)` and `add_hit(name, window_seconds=...)`: a count whose window begins at its first hit, read before
  acting and raised after a failure. The login limits (raters.throttle).

Names are the callers' (hash anything secret or personal first; at most 200 characters). A row past its
`expires_at` means nothing; each new row first deletes expired ones, so the table holds about one window's worth
of rows and needs no cron.

When REDIS_URL is set (production with Redis), the same state lives in Redis instead, with the same exactness:
`use_once` is one `SET NX EX`, and each count is one Lua script (read, raise under the limit, set its expiry),
which Redis runs alone, so parallel callers are ordered as PostgreSQL's row lock orders them. Its keys expire by
themselves (`purge_expired` has nothing to do), under CACHE_KEY_PREFIX then "limits:". That Redis must not evict
them early: `maxmemory-policy noeviction` (README, Background work).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import NamedTuple

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ratings_site.compiled_queries import quoted_column, quoted_table
from ratings_site.raters.models import SecurityCount

PURGE_BATCH = 1000  # expired rows deleted by each new row: more than rows are made, so the table cannot grow


class Hit(NamedTuple):
    allowed: bool
    retry_after: int  # seconds until the window ends, at least 1


class Hits(NamedTuple):
    count: int
    retry_after: int  # seconds until the count ends (at least 1); 0 when nothing is counted


def use_once(name: str, *, ttl_seconds: int) -> bool:
    """True the first time `name` is used within `ttl_seconds`, False every other time (atomic)."""
    if settings.REDIS_URL:
        return bool(_redis().set(_redis_key(name), 1, nx=True, ex=max(int(ttl_seconds), 1)))
    now = timezone.now()
    return _insert(name, expires_at=now + timedelta(seconds=ttl_seconds), now=now)


def count_hit(name: str, *, window_seconds: int, limit: int, now: float | None = None) -> Hit:
    """Count one hit of `name` in the current window if fewer than `limit` were counted there; whether it was, and
    the seconds left in the window."""
    return count_hits({name: limit}, window_seconds=window_seconds, now=now)[name]


def count_hits(limits: dict[str, int], *, window_seconds: int, now: float | None = None) -> dict[str, Hit]:
    """`count_hit` of each name (to its own limit) in one statement: one UPDATE over all of their live rows (a
    missing row is then made as `count_hit` makes it), or one Lua script on Redis. The API counts a request per
    rater and per address this way (api.throttles), each exactly as alone: a name's hit is counted only while under
    its own limit, whatever the other's."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    ends = (window + 1) * window_seconds
    retry_after = max(1, math.ceil(ends - now))
    keys = {name: f"{name}:{window}" for name, limit in limits.items() if limit >= 1}
    counted = dict.fromkeys(limits, Hit(False, retry_after))
    if not keys:
        return counted
    if settings.REDIS_URL:
        answers = _redis().eval(
            _COUNT_UNDER_LIMITS,
            len(keys),
            *(_redis_key(key) for key in keys.values()),
            *(limits[name] for name in keys),
            retry_after,
        )
        return {**counted, **{name: Hit(bool(answer), retry_after) for name, answer in zip(keys, answers, strict=True)}}
    moment = datetime.fromtimestamp(now, tz=UTC)
    raised = _raise_under_limits({keys[name]: limits[name] for name in keys}, now=moment)
    for name, key in keys.items():
        if key in raised:
            counted[name] = Hit(True, retry_after)
        elif not SecurityCount.objects.filter(name=key).exists() and _insert(
            key, expires_at=datetime.fromtimestamp(ends, tz=UTC), now=moment
        ):
            counted[name] = Hit(True, retry_after)
        else:  # the row is there (at the limit, or made by a parallel request since the first try): it decides
            counted[name] = Hit(_raise(key, now=moment, limit=limits[name]), retry_after)
    return counted


def hits(name: str) -> Hits:
    """How many hits `name` has in its window, and the seconds until that window ends."""
    if settings.REDIS_URL:
        with _redis().pipeline(transaction=True) as pipe:
            count, ttl_ms = pipe.get(_redis_key(name)).pttl(_redis_key(name)).execute()
        if count is None or ttl_ms <= 0:
            return Hits(0, 0)
        return Hits(int(count), max(1, math.ceil(ttl_ms / 1000)))
    now = timezone.now()
    row = SecurityCount.objects.filter(name=name, expires_at__gt=now).values_list("count", "expires_at").first()
    if row is None:
        return Hits(0, 0)
    count, expires_at = row
    return Hits(count, max(1, math.ceil((expires_at - now).total_seconds())))


def add_hit(name: str, *, window_seconds: int) -> None:
    """Count one hit of `name`; its first hit starts a window of `window_seconds` (atomic)."""
    if settings.REDIS_URL:
        _redis().eval(_ADD_HIT, 1, _redis_key(name), max(int(window_seconds), 1))
        return
    now = timezone.now()
    for _ in range(3):  # a parallel first hit, or an expired row another request is deleting: try again
        if _raise(name, now=now) or _insert(name, expires_at=now + timedelta(seconds=window_seconds), now=now):
            return


def purge_expired(now: datetime | None = None) -> int:
    """Delete up to PURGE_BATCH rows whose time is over (rows that parallel purges hold are left to them). Nothing
    to do on Redis, whose keys expire by themselves."""
    now = timezone.now() if now is None else now
    with transaction.atomic():
        expired = list(
            SecurityCount.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .values_list("name", flat=True)[:PURGE_BATCH]
        )
        if not expired:
            return 0
        deleted, _ = SecurityCount.objects.filter(name__in=expired, expires_at__lte=now).delete()
    return deleted


def _raise(name: str, *, now: datetime, limit: int | None = None) -> bool:
    """Add one to the live row `name` (only while under `limit`); whether there was such a row to add to."""
    live = SecurityCount.objects.filter(name=name, expires_at__gt=now)
    if limit is not None:
        live = live.filter(count__lt=limit)
    return live.update(count=F("count") + 1) == 1


@cache
def _raise_under_limits_statement(vendor: str, names: int) -> str:
    """`_raise_under_limits`' UPDATE for this engine and this many names, built once (it runs on every API call)."""
    table = quoted_table(SecurityCount)
    name, count, expires_at = (quoted_column(SecurityCount, field) for field in ("name", "count", "expires_at"))
    under = " OR ".join([f"({name} = %s AND {count} < %s)"] * names)
    return f"UPDATE {table} SET {count} = {count} + 1 WHERE {expires_at} > %s AND ({under}) RETURNING {name}"


def _raise_under_limits(limits: dict[str, int], *, now: datetime) -> set[str]:
    """`_raise` of each live row named in `limits` (only while under its own limit), in one UPDATE; the names of the
    rows it added to. Each row's condition is its own, re-checked by PostgreSQL under the row's lock; the rows are
    locked in the order the plan reads them (by index or table position), never the order the names are given in,
    so two callers counting the same two names cannot deadlock
    (tests/test_limits_store_counts_the_api_limits_in_one_statement.py)."""
    params: list = [connection.ops.adapt_datetimefield_value(now)]
    for key, limit in limits.items():
        params += [key, limit]
    sql = _raise_under_limits_statement(connection.vendor, len(limits))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key for (key,) in cursor.fetchall()}


def _insert(name: str, *, expires_at: datetime, now: datetime) -> bool:
    """Make the row `name` with one hit; False when it is there already."""
    if len(name) > SecurityCount._meta.get_field("name").max_length:
        raise ValueError(f"a security count's name has at most 200 characters: {name[:40]!r}...")
    purge_expired(now)
    try:
        with transaction.atomic():
            SecurityCount.objects.create(name=name, count=1, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


# ---- Redis (REDIS_URL set) ------------------------------------------------------------------------------------

# One hit of each key of KEYS while under its own limit (ARGV[i]); a window's key expires when the window ends (in
# ARGV[#KEYS + 1] seconds). Redis runs a script alone: no other command comes between a read and its raise.
_COUNT_UNDER_LIMITS = """
local counted = {}
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i]) then
    counted[i] = 0
  else
    redis.call('INCR', key)
    if count == 0 then redis.call('EXPIRE', key, ARGV[#KEYS + 1]) end
    counted[i] = 1
  end
end
return counted
"""
# One hit; the first starts a window of ARGV[1] seconds.
_ADD_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    """One client (and its connection pool) per URL, for the process."""
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return _clients[url]


def _redis_key(name: str) -> str:
    if len(name) > SecurityCount._meta.get_field("name").max_length:
        raise ValueError(f"a security count's name has at most 200 characters: {name[:40]!r}...")
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:limits:{name}"
