"""The reports queue reads the same number of queries for 3 or 9 reported images (no query per image, per reason
or per note)."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.moderation_helpers import horde_rater, report

QUEUE = "/admin/moderation/reports/"


def _report_images(make_images, count: int) -> None:
    for image in make_images(count):
        report(horde_rater(), image, "nsfw", "a note")
        report(horde_rater(), image, "other", "another note")
        report(horde_rater(), image, "skipped")


def _queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_queue_costs_the_same_for_n_and_3n_images(moderator_client, make_images):
    _report_images(make_images, 3)
    few = _queries(moderator_client)
    _report_images(make_images, 6)
    many = _queries(moderator_client)

    assert moderator_client.get(QUEUE).content.decode().count('class="reported-image"') == 9
    assert len(many) == len(few), "\n".join(many)
