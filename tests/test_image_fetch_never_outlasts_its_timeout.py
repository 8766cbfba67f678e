"""A fetch of an image URL never outlasts its timeout, so that a generation set's copy budget holds: a server that
trickles its status line, its headers or its body a byte at a time keeps every single read within a socket timeout,
so each read is given only what is left of the fetch's deadline."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ratings_site.datasets.fetch import FetchError, fetch_image_bytes
from tests.image_servers import png


@contextmanager
def trickling_whole_answer(answer: bytes, *, every: float = 0.1) -> Iterator[str]:
    """A server that sends `answer` (status line, headers and body) a byte every `every` seconds; its URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                client.recv(65536)
                try:
                    for byte in answer:
                        client.sendall(bytes([byte]))
                        time.sleep(every)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/picture.png"
    finally:
        server.close()


PICTURE = png()
ANSWERS = {
    "status line": b"HTTP/1.1 200 OK" + b" " * 300 + b"\r\n\r\n",
    "headers": b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Slow-%d: a\r\n" % n for n in range(40)) + b"\r\n",
    "a whole answer": b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n" % len(PICTURE) + PICTURE,
}


@pytest.mark.parametrize("part", list(ANSWERS))
def test_a_trickled_answer_times_out_on_time(part):
    with trickling_whole_answer(ANSWERS[part]) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out after 1 s"):
            fetch_image_bytes(url, timeout=1.0, max_bytes=10_000_000, allow_private=True)
        took = time.monotonic() - started

    assert took < 2, f"a {part} trickled a byte at a time held the fetch {took:.1f} s"
