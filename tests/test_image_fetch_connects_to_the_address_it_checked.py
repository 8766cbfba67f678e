"""fetch_image_bytes connects to the very address it checked. A name whose DNS answer changes between
the check and the connection (DNS rebinding: public first, then 127.0.0.1) cannot steer the fetch inside,
and a name with one internal address among its answers is refused before any connection.

The system resolver is replaced for one made-up name (socket.getaddrinfo is the standard library's,
not ours); every other name and every address literal resolves as usual.
"""

from __future__ import annotations

import socket

import pytest

from ratings_site.datasets.fetch import PrivateAddressError, fetch_image_bytes
from tests.image_servers import png, serving

NAME = "images.rebinding.test"


@pytest.fixture
def dns(monkeypatch) -> list[list[str]]:
    """The answers NAME gets, one list of addresses per lookup, in order (the last one repeats)."""
    answers: list[list[str]] = []
    resolve = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return resolve(host, port, *args, **kwargs)
        if kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            raise socket.gaierror(socket.EAI_NONAME, "not a numeric host")
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_name_that_rebinds_to_127_0_0_1_after_the_check_is_still_fetched_from_the_checked_address(dns):
    picture = png((20, 10), "orange")
    with serving("127.0.0.2", body=picture) as checked, serving("127.0.0.1", port=checked.port) as inside:
        # Both listen on the same port: only the address decides which one is asked.
        dns.extend([["127.0.0.2"], ["127.0.0.1"]])
        url = f"http://{NAME}:{checked.port}/picture.png"

        body = fetch_image_bytes(url, timeout=5, max_bytes=1_000_000, allow_private=["127.0.0.2/32"])

    assert body == picture
    assert checked.paths == ["/picture.png"]
    assert inside.paths == []
    assert dns == [["127.0.0.1"]], "the name was resolved once: the second answer was never asked for"


def test_a_name_with_one_internal_address_among_its_answers_is_refused_before_connecting(dns):
    with serving("127.0.0.1") as inside:
        dns.append(["93.184.215.14", "127.0.0.1"])

        with pytest.raises(PrivateAddressError, match=rf"{NAME} leads to 127.0.0.1, a loopback address"):
            fetch_image_bytes(f"http://{NAME}:{inside.port}/x.png", timeout=5, max_bytes=1_000_000, allow_private=False)

    assert inside.paths == []
