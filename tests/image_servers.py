"""Real local HTTP servers for the tests of server-side image fetches: one that serves a picture and
counts the requests it got, one that redirects elsewhere, one that gives any fixed answer (an HTML page, an SVG,
a 503, a redirect to ftp:), one that trickles a picture a byte at a time, on the loopback address of one's choice
(127.0.0.1, 127.0.0.2, ::1: Linux answers on all of 127/8)."""

from __future__ import annotations

import http.server
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image as Picture


def png(size: tuple[int, int] = (64, 48), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Picture.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@dataclass
class ImageServer:
    """A server on `host`; `paths` lists every path it was asked for (empty: nobody reached it)."""

    host: str
    port: int = 0
    paths: list[str] = field(default_factory=list)

    def url(self, path: str = "/picture.png", *, host: str | None = None) -> str:
        name = host or self.host
        return f"http://{f'[{name}]' if ':' in name else name}:{self.port}{path}"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _v6_server(address: tuple[str, int], handler: type) -> _Server:
    class V6(_Server):
        address_family = socket.AF_INET6

    return V6(address, handler)


@contextmanager
def serving(
    host: str, *, port: int = 0, body: bytes | None = None, redirect_to: str | None = None, send_length: bool = True
) -> Iterator[ImageServer]:
    """A server on `host` (and `port`, or any free one) that answers every GET with `body` (a PNG by
    default; without Content-Length when send_length is false) or a 302 to `redirect_to` (which may be
    relative: "/again" redirects to itself)."""
    record = ImageServer(host)
    content = png() if body is None else body

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            record.paths.append(self.path)
            if redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            if send_length:
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: object) -> None:
            pass

    server = _v6_server((host, port), Handler) if ":" in host else _Server((host, port), Handler)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def _serve(host: str, port: int, handler: type) -> tuple[_Server, threading.Thread]:
    server = _v6_server((host, port), handler) if ":" in host else _Server((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@contextmanager
def _serving(record: ImageServer, handler: type) -> Iterator[None]:
    """Serve `handler` on `record`'s host, on a free port written into `record`, until the block ends."""
    server, _ = _serve(record.host, 0, handler)
    record.port = server.server_address[1]
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def answering(
    host: str,
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    body: bytes = b"",
    location: str | None = None,
) -> Iterator[ImageServer]:
    """A server on `host` that answers every GET with one fixed answer: `status`, `content_type` and `body`, with a
    Location header when `location` is given (a redirect to anything, `ftp:` included)."""
    record = ImageServer(host)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            record.paths.append(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with _serving(record, Handler):
        yield record


@contextmanager
def trickling(host: str, *, every: float = 0.2, for_at_most: float = 120.0) -> Iterator[ImageServer]:
    """A server on `host` that answers every GET at once with 200, image/png and a PNG's length, then sends the PNG
    one byte every `every` seconds (until the client hangs up, or `for_at_most` seconds): each single read gets a
    byte well within any socket timeout, so only a deadline on the whole fetch ends it."""
    record = ImageServer(host)
    content = png((512, 512), "orange") * 4

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            record.paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            ends = time.monotonic() + for_at_most
            try:
                for byte in content:
                    if time.monotonic() > ends:
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(every)
            except OSError:  # the client gave up
                return

        def log_message(self, *args: object) -> None:
            pass

    with _serving(record, Handler):
        yield record
