"""The card's "N images left" on a rating POST: while many are left ("1,000+"), the figure rides in the card's
signed token and nothing is counted; once it is at or under the cap it is counted on every card, exact. A token of
another queue (another dataset) is not taken for this one's."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.services import refresh_queue
from ratings_site.ratings import cards, selectors
from tests.conftest import DEMO_KEY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

LEFT = re.compile(r'data-testid="progress">([0-9,+]+) images? left')


@pytest.fixture(autouse=True)
def no_flood_pause(settings):
    settings.RATINGS_PER_MINUTE_MAX = 1000


def _queue_of(count: int, slug: str = "many") -> Dataset:
    dataset, _ = Dataset.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "public": True})
    Image.objects.bulk_create(
        [
            Image(dataset=dataset, url=f"https://images.example.org/{slug}/{n}.jpg", dedupe_key=uuid.uuid4().hex)
            for n in range(count)
        ]
    )
    refresh_queue(Image.objects.filter(dataset=dataset))
    return dataset


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _post_the_card(client, html: str, rating: str = "6", **fields):
    return client.post(
        re.search(r'hx-post="(/images/[^"]+/rate/)"', html).group(1),
        {"rating": rating, "card": _field(html, "card"), "upcoming": _field(html, "upcoming"), **fields},
        headers={"HX-Request": "true", "X-CSRFToken": _field(html, "csrfmiddlewaretoken")},
    )


def _counts(captured) -> list[str]:
    """The counts of the queue (selectors.images_left_for's): not the queue's reads of entries, which count each
    entry's holds (selectors._held_sql)."""
    counts = ("WITH page (image_id) AS", "SELECT COUNT(")
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(counts) and "datasets_queueentry" in q["sql"]
    ]


def test_many_left_rides_in_the_card_and_is_not_counted(login):
    many = selectors.IMAGES_LEFT_CAP + selectors.IMAGES_LEFT_SLACK + 20
    _queue_of(many)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    assert LEFT.search(html).group(1) == "1000+"

    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            html = _post_the_card(client, html).content.decode()
        assert LEFT.search(html).group(1) == "1000+"
        assert _counts(captured) == []


def test_few_left_are_counted_on_every_card_exactly(login):
    _queue_of(20)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    assert LEFT.search(html).group(1) == "20"

    html = _post_the_card(client, html).content.decode()
    assert LEFT.search(html).group(1) == "19"
    # Others' ratings take five images out of the queue: the next card says so.
    shown = {re.search(r'data-image-id="([0-9a-f-]{36})"', html).group(1)}
    unseen = QueueEntry.objects.exclude(image__public_id__in=shown).filter(image__ratings__isnull=True)
    gone = list(unseen.order_by("priority", "-shuffle")[:5])
    QueueEntry.objects.filter(pk__in=[entry.pk for entry in gone]).delete()
    with CaptureQueriesContext(connection) as captured:
        html = _post_the_card(client, html).content.decode()
    assert LEFT.search(html).group(1) == "13"
    assert len(_counts(captured)) == 1


def test_the_figure_of_another_queue_is_not_taken(login):
    many = _queue_of(selectors.IMAGES_LEFT_CAP + selectors.IMAGES_LEFT_SLACK + 20)
    few = _queue_of(10, slug="few")
    client = login(DEMO_KEY)
    html = client.get(f"/rate/{many.slug}/").content.decode()
    assert LEFT.search(html).group(1) == "1000+"
    rater = client.get("/rate/").wsgi_request.user

    # The many's card posted as if from the few's page: its figure is not the few's.
    html = _post_the_card(client, html, dataset=few.slug).content.decode()

    assert LEFT.search(html).group(1) == "10"
    token = _field(html, "card")
    assert cards.images_left_from(token, rater, few) == 10
    assert cards.images_left_from(token, rater, many) is None
