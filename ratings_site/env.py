"""Read settings from the environment, refusing malformed values.

Each helper raises ImproperlyConfigured naming the variable, so a typo in a
deployment stops start-up with a clear message instead of a silent default.
"""

from __future__ import annotations

import ipaddress
import os
from email.utils import parseaddr

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_bool_or_networks(name: str, default: bool) -> bool | list[str]:
    """A boolean, or a comma-separated list of IP addresses or networks (`10.20.0.0/16`), each one checked."""
    raw = os.environ.get(name)
    if raw is None or raw.strip().lower() in _TRUE | _FALSE:
        return env_bool(name, default)
    networks = [item.strip() for item in raw.split(",") if item.strip()]
    for item in networks:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be true, false or a comma-separated list of IP addresses or networks, got {item!r}"
            ) from None
    return networks


def env_addresses(name: str) -> list[tuple[str, str]]:
    """Comma-separated mail addresses, each `a@b.org` or `Name <a@b.org>`, as Django's ADMINS wants them: (name, address).

    A malformed address stops start-up: a typo would otherwise silently lose every error report.
    """
    addresses = []
    for item in env_list(name, []):
        display_name, address = parseaddr(item)
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(f"{name} must be mail addresses (a@b.org or Name <a@b.org>), got {item!r}") from None
        addresses.append((display_name, address))
    return addresses


def env_cache(name: str, default: str) -> dict[str, object]:
    """A CACHES entry from a URL: `db://TABLE` (Django's DatabaseCache: shared by every process, made by
    migrate), `redis://HOST:PORT/N` (Django's RedisCache; needs the `redis` package) or `locmem://`
    (this process only: development and tests)."""
    raw = os.environ.get(name) or default
    scheme, sep, rest = raw.partition("://")
    if sep and scheme in {"db", "database"} and rest.strip("/"):
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest.strip("/")}
    if sep and scheme in {"redis", "rediss"} and rest:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}
    if sep and scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        f"{name} must be db://TABLE, redis://HOST:PORT/DB or locmem://, got {raw!r}"
    )
