"""Image URLs: which ones an image may have, and fetching one from the server without reaching inside.

Two rules live here, once:

- `check_image_url` says whether a URL may be an image's URL: http or https, a host, at most
  2000 characters, and not a host that is literally an internal address (`127.1`, `[::1]`,
  `0.0.0.0`, `169.254.169.254`, `localhost`). It needs no network, so the importer can check
  millions of rows and the admin a form; `validate_image_url` is the same rule as a form validator.
- `fetch_image_bytes` is the only way server-side code (the predictor today, copies of generated
  images soon) fetches an image URL. Every address it connects to, after DNS resolution and on
  every redirect, must be public: loopback, private, link-local, shared, multicast, reserved and
  unspecified addresses are refused, so a dataset row cannot make the server read its own
  database port or the cloud's metadata service. It connects to the very address it checked (a
  second resolution could answer differently: DNS rebinding), follows at most MAX_REDIRECTS
  redirects itself, and gives up after `timeout` seconds for the whole fetch.

`ALLOW_PRIVATE_IMAGE_URLS` lifts the address rule: for every address (true: tests and a local demo
serve images from 127.0.0.1), or for the networks it lists (an internal image store). Proxies from
the environment are not used: a proxy would resolve names itself and the check would be worthless.

Plain Python and Django settings only: DataLoader workers import this without the database.
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_IMAGE_URL_LENGTH = 2000  # Image.url's max_length
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "HordeRatings/1.0 (image fetch)"
CHUNK_BYTES = 64 * 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# ALLOW_PRIVATE_IMAGE_URLS: every internal address (True), none (False), or those in the networks listed.
Allowance = bool | Sequence[str]


class ImageURLError(ValueError):
    """A URL an image may not have; the message says why (it is shown to whoever gave the URL)."""


class FetchError(Exception):
    """An image URL could not be fetched (refused, unreachable, too slow, too large, not 200)."""


class PrivateAddressError(FetchError):
    """The URL leads to an internal address (directly, through DNS or through a redirect)."""


def allow_private_default() -> Allowance:
    return settings.ALLOW_PRIVATE_IMAGE_URLS


# The address rule -----------------------------------------------------------------------


def address_problem(address: Address) -> str | None:
    """Why the server must not connect to `address`, e.g. "a loopback address" (None: a public address).

    An IPv4 address wrapped in IPv6 (::ffff:127.0.0.1, 6to4) is judged as the IPv4 address it reaches.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return address_problem(inner)
    for kind, flag in (
        ("an unspecified", address.is_unspecified),
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a private", address.is_private),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a non-public", not address.is_global),  # e.g. 100.64.0.0/10, shared by carriers' NAT
    ):
        if flag:
            return f"{kind} address"
    return None


def _allowed(address: Address, allow: Allowance) -> bool:
    if isinstance(allow, bool):
        return allow
    inner = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return any(
        candidate in ipaddress.ip_network(network, strict=False)
        for network in allow
        for candidate in (address, inner)
        if candidate is not None
    )


def _refusal(host: str, address: Address, problem: str) -> str:
    where = f"{host} is {problem}" if host == str(address) else f"{host} leads to {address}, {problem}"
    return f"{where}; image URLs must lead to public addresses (ALLOW_PRIVATE_IMAGE_URLS allows others)"


def _literal_address(host: str) -> Address | None:
    """The address a host stands for without asking DNS: an IP literal in any form the system's
    resolver accepts (127.1, 0x7f000001, 2130706433, ::1), or loopback for localhost names."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        infos = socket.getaddrinfo(name, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(infos[0][4][0].split("%", 1)[0])


# The URL rule ---------------------------------------------------------------------------


def check_image_url(value: object, *, allow_private: Allowance | None = None) -> str:
    """The URL, stripped, when an image may have it; else ImageURLError saying why. No network."""
    url = "" if value is None else str(value).replace("\x00", "").strip()
    if not url:
        raise ImageURLError("the URL is empty.")
    if len(url) > MAX_IMAGE_URL_LENGTH:
        raise ImageURLError(f"the URL is longer than {MAX_IMAGE_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as error:
        raise ImageURLError(f"{url[:200]!r} is not a valid URL ({error}).") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ImageURLError(f"{url[:200]!r} is not an http(s) URL.")
    allow = allow_private_default() if allow_private is None else allow_private
    if (address := _literal_address(host)) is not None:
        problem = address_problem(address)
        if problem and not _allowed(address, allow):
            raise ImageURLError(f"{url[:200]!r} is refused: {_refusal(host, address, problem)}.")
    return url


def validate_image_url(value: str) -> None:
    """`check_image_url` as a Django validator (the Image admin form)."""
    try:
        check_image_url(value)
    except ImageURLError as error:
        raise ValidationError(str(error), code="invalid_image_url") from None


# Fetching -------------------------------------------------------------------------------


def _public_addresses(host: str, port: int, *, allow: Allowance) -> list[Address]:
    """Every address `host` resolves to, each checked; one internal address (not allowed) refuses
    the host: a name that answers both ways is not to be trusted with the choice."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"{host}: cannot resolve the name ({error})") from None
    addresses: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if (problem := address_problem(address)) and not _allowed(address, allow):
            raise PrivateAddressError(_refusal(host, address, problem))
        if address not in addresses:
            addresses.append(address)
    return addresses


def _connect(addresses: list[Address], port: int, timeout: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers (never a name: no second lookup)."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise FetchError(f"cannot connect ({error})")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """http.client speaking to a socket we opened to a checked address; Host stays the URL's host."""

    def __init__(self, host: str, port: int, *, sock: socket.socket, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.sock = sock

    def connect(self) -> None:  # the socket is already connected; never resolve the name again
        if self.sock is None:
            raise FetchError("the connection was closed")


class _ReadsByTheDeadline(io.RawIOBase):
    """The response's reads of the socket, each given only what is left until the deadline: a server trickling its
    status line or headers a byte at a time would otherwise keep every single read within the socket's timeout."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:  # type: ignore[override]
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the fetch's deadline passed")
        self._sock.settimeout(remaining)
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _ResponseByTheDeadline(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args, deadline: float, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        # http.client's reader of the socket (which keeps it open while the response reads), read by the deadline.
        self.fp = io.BufferedReader(_ReadsByTheDeadline(self.fp.detach(), sock, deadline))


def _open(
    url: str, *, timeout: float, allow: Allowance, deadline: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    sock = _connect(_public_addresses(host, port, allow=allow), port, timeout)
    try:
        if https:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)  # the name's certificate
        connection = _PinnedHTTPConnection(host, port, sock=sock, timeout=timeout)
        connection.response_class = functools.partial(_ResponseByTheDeadline, deadline=deadline)
        path = parts.path or "/"
        connection.request(
            "GET",
            f"{path}?{parts.query}" if parts.query else path,
            headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
        )
        return connection, connection.getresponse()
    except BaseException:
        sock.close()
        raise


def fetch_image_bytes(url: str, *, timeout: float, max_bytes: int, allow_private: Allowance | None = None) -> bytes:
    """The body of `url` (an image, we hope), at most `max_bytes`, within `timeout` seconds in all.

    Raises PrivateAddressError for a URL (or a redirect) that leads to an internal address, and
    FetchError for anything else that stops the fetch; the message says which and why.
    """
    allow = allow_private_default() if allow_private is None else allow_private
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        try:
            check_image_url(url, allow_private=True)  # scheme, host, length; the addresses are checked once resolved
        except ImageURLError as error:
            raise FetchError(str(error)) from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s")
        try:
            connection, response = _open(url, timeout=remaining, allow=allow, deadline=deadline)
        except TimeoutError:
            raise FetchError(f"timed out after {timeout:g} s") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"{urlsplit(url).hostname}: {type(error).__name__}: {error}") from None
        try:
            if response.status in REDIRECT_STATUSES and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise FetchError(f"HTTP {response.status} {response.reason}")
            return _read_body(connection, response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"{urlsplit(url).hostname}: {type(error).__name__}: {error}") from None
        finally:
            connection.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _read_body(
    connection: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    *,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> bytes:
    """The body, refused when it passes max_bytes or the deadline: a server trickling a byte at a
    time would keep every single read within a socket timeout, so each read gets only what is left."""
    too_large = f"larger than {max_bytes / (1024 * 1024):g} MB"
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(too_large)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        try:
            chunk = response.read1(min(CHUNK_BYTES, max_bytes + 1 - size))  # what has arrived, not a full chunk
        except TimeoutError:
            raise FetchError(f"timed out after {timeout:g} s") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(too_large)
