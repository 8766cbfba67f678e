"""fetch_image_bytes keeps its limits: the timeout covers the whole fetch (a server trickling one byte at
a time cannot hold a worker), the size limit holds with or without Content-Length, redirects end after
MAX_REDIRECTS, and a redirect may only lead to another http(s) URL."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from ratings_site.datasets.fetch import MAX_REDIRECTS, FetchError, fetch_image_bytes
from tests.image_servers import serving


@pytest.fixture
def trickling_server() -> Iterator[int]:
    """A port whose server answers 200 and then sends one byte every 0.2 s, for ever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n")
            while not stop.is_set():
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_a_server_trickling_bytes_is_given_up_after_the_timeout_for_the_whole_fetch(trickling_server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 1 s"):
        fetch_image_bytes(
            f"http://127.0.0.1:{trickling_server}/slow.png", timeout=1, max_bytes=1_000_000, allow_private=True
        )
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("send_length", [True, False], ids=["Content-Length", "no length"])
def test_a_body_over_the_size_limit_is_refused(send_length):
    body = b"\x89PNG" + bytes(200_000)
    with serving("127.0.0.1", body=body, send_length=send_length) as server:
        assert fetch_image_bytes(server.url(), timeout=5, max_bytes=len(body), allow_private=True) == body
        with pytest.raises(FetchError, match="larger than"):
            fetch_image_bytes(server.url(), timeout=5, max_bytes=len(body) - 1, allow_private=True)


def test_redirects_end_after_max_redirects():
    with serving("127.0.0.1", redirect_to="/again") as server:
        with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
            fetch_image_bytes(server.url("/start"), timeout=5, max_bytes=1_000_000, allow_private=True)
    assert server.paths == ["/start"] + ["/again"] * MAX_REDIRECTS


def test_a_redirect_to_another_scheme_is_refused():
    with serving("127.0.0.1", redirect_to="file:///etc/passwd") as server:
        with pytest.raises(FetchError, match="not an http\\(s\\) URL"):
            fetch_image_bytes(server.url(), timeout=5, max_bytes=1_000_000, allow_private=True)
