"""The stand-in Horde forwards a rated set to the ratings service as the Horde does (a plain POST of JSON with no
credential, 3 s timeout) and reads the answer as the Horde does."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR, RATINGS_SET_TIMEOUT, STANDIN_IPADDR, StandinHorde
from ratings_site.horde import client
from ratings_site.horde.client import HordeRejected


class RatingsService:
    """A tiny ratings service: answers `status` with `body`, or never answers when status is None."""

    def __init__(self, status: int | None, body: Any = None):
        self.status, self.body, self.received = status, body, []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.received.append({"path": self.path, "headers": dict(self.headers), "payload": payload})
                if service.status is None:
                    time.sleep(RATINGS_SET_TIMEOUT + 1)
                    return
                data = json.dumps(service.body).encode() if service.body is not None else b""
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1/rating/set"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service(request, horde):
    status, body = request.param
    running = RatingsService(status, body)
    horde.set_ratings_service(running.url)
    yield running
    running.close()


def rate_first_two(horde) -> int:
    ids = horde.generation_ids(DEMO_SET_FOUR)
    return client.rate_generation(
        DEMO_SET_FOUR, ratings=[{"id": ids[0], "rating": 3, "artifacts": 2}, {"id": ids[1], "rating": 9}], best=None
    )


@pytest.mark.parametrize("service", [(200, {"message": "ok"})], indirect=True)
def test_accepted_forward_credits_the_reward_and_sends_no_credential(horde, service):
    assert rate_first_two(horde) == 15
    assert horde.balance("DemoRater#1001") == 1015.0
    [received] = service.received
    assert received["path"] == "/api/v1/rating/set"
    sent = {name.lower() for name in received["headers"]}
    assert sent <= {"host", "content-type", "content-length", "user-agent", "accept-encoding", "connection"}, sent
    assert received["headers"]["Content-Type"] == "application/json"
    assert horde.forwards[-1]["headers"] == {"Content-Type": "application/json"}
    ids = horde.generation_ids(DEMO_SET_FOUR)
    payload = received["payload"]
    assert payload["set"] == DEMO_SET_FOUR and payload["all_set_ids"] == ids
    assert payload["client_agent"]
    assert payload["ratings"] == [{"id": ids[0], "rating": 3, "artifacts": 2}, {"id": ids[1], "rating": 9}]
    assert payload["best"] == ids[1]
    assert payload["user"] == {
        "username": "DemoRater#1001", "trusted": False, "account_age": 2592000.0, "kudos": 1000.0,
        "kudos_accumulated": 1000.0, "ipaddr": STANDIN_IPADDR,
    }
    assert horde.forwards[-1]["outcome"] == "accepted" and horde.forwards[-1]["status"] == 200
    # A set rated again: the service decides (here it accepts again), the stand-in does not refuse by itself.
    assert rate_first_two(horde) == 15


@pytest.mark.parametrize("service", [(403, {"message": "Already rated"})], indirect=True)
def test_403_is_already_rated_and_nothing_credited(horde, service):
    with pytest.raises(HordeRejected) as caught:
        rate_first_two(horde)
    assert (caught.value.status, caught.value.rc) == (400, "AestheticsAlreadyExist")
    assert caught.value.message == "This generation appears already rated"
    assert horde.balance("DemoRater#1001") == 1000.0 and horde.rated == []


@pytest.mark.parametrize("service", [(500, {"message": "database exploded"})], indirect=True)
def test_error_with_message_is_passed_on(horde, service):
    with pytest.raises(HordeRejected) as caught:
        rate_first_two(horde)
    assert caught.value.status == 400
    assert caught.value.message == "Rating Server returned error: database exploded"
    assert horde.balance("DemoRater#1001") == 1000.0


@pytest.mark.parametrize("service", [(None, None)], indirect=True)
def test_no_answer_in_3_seconds(horde, service):
    assert horde.ratings_set_timeout == 3.0
    started = time.monotonic()
    with pytest.raises(HordeRejected) as caught:
        rate_first_two(horde)
    assert 2.5 < time.monotonic() - started < 6
    assert "took to long to respond" in caught.value.message
    assert horde.balance("DemoRater#1001") == 1000.0 and horde.forwards[-1]["outcome"] == "timeout"


def test_service_not_listening(horde):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    horde.set_ratings_service(f"http://127.0.0.1:{port}/api/v1/rating/set")
    with pytest.raises(HordeRejected) as caught:
        rate_first_two(horde)
    assert caught.value.message == "The rating server appears to be down"
    assert horde.balance("DemoRater#1001") == 1000.0 and horde.forwards[-1]["outcome"] == "down"


def test_configured_at_construction_and_by_control_endpoint(horde):
    import urllib.error
    import urllib.request

    standin = StandinHorde(ratings_set_url="http://127.0.0.1:1/x")
    assert standin.ratings_set_url == "http://127.0.0.1:1/x"

    def control(body: dict) -> tuple[int, dict]:
        req = urllib.request.Request(f"{horde.base_url}/_standin/ratings_service", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    assert control({"url": "http://127.0.0.1:9/y"}) == (200, {"url": "http://127.0.0.1:9/y"})
    assert horde.ratings_set_url == "http://127.0.0.1:9/y"
    # The Horde sends no token, so neither does the stand-in: asking for one says what to do instead.
    status, refusal = control({"url": "http://127.0.0.1:9/z", "token": "s"})
    assert status == 400 and "HORDE_RATINGS_SET_ALLOWED_IPS" in refusal["message"]
    assert horde.ratings_set_url == "http://127.0.0.1:9/y"
    horde.reset()
    assert horde.ratings_set_url is None
