"""The API's hot one-row queries, compiled once (ratings_site.compiled_queries.OneRowQuery), answer exactly as the QuerySets
they are built from: every field with its type (JSON, UUIDs, aware datetimes on SQLite too), select_related's
dataset without a query of its own, and the image's serve time to this rater only, in the image's one query."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings_site.api.authentication import _anonymous_rater, _remembered_rater, anonymous_client_hash
from ratings_site.api.rating_views import _image_rated, _public_dataset
from ratings_site.compiled_queries import OneRowQuery
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, Rater
from ratings_site.ratings import services
from ratings_site.ratings.models import ServedImage

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def _rater(horde_id: int | None, **fields) -> Rater:
    rater = Rater(username=f"Rater#{horde_id}", horde_id=horde_id, **fields)
    rater.set_unusable_password()
    rater.save()
    return rater


def test_the_image_its_dataset_and_its_serve_time_in_one_query(make_images):
    image = make_images(1)[0]
    Image.objects.filter(pk=image.pk).update(source={"prompt": "a cat", "steps": 30}, tag_counts={"watermark": 2})
    rater, other = _rater(501), _rater(502)
    services.record_served(rater, image, every_image=True)
    served = ServedImage.objects.get(rater=rater, image=image).served_at

    with CaptureQueriesContext(connection) as captured:
        found = _image_rated.get(public_id=image.public_id, rater=rater.pk)
        dataset = found.dataset
    expected = Image.objects.select_related("dataset").get(pk=image.pk)

    assert len(captured.captured_queries) == 1
    assert _fields(found) == _fields(expected)
    assert found.source == {"prompt": "a cat", "steps": 30} and found.public_id == image.public_id
    assert _fields(dataset) == _fields(expected.dataset)
    assert found.served_at_to_rater == served == services.served_at(rater, image)
    assert timezone.is_aware(found.served_at_to_rater)
    assert found.created_at == expected.created_at and timezone.is_aware(found.created_at)
    assert _image_rated.get(public_id=image.public_id, rater=other.pk).served_at_to_rater is None


def test_an_unknown_image_is_none(make_images):
    make_images(1)
    rater = _rater(503)
    assert _image_rated.get(public_id=uuid.uuid4(), rater=rater.pk) is None


def test_the_remembered_rater_is_the_whole_row_and_only_a_horde_rater(db):
    now = timezone.now()
    rater = _rater(
        504, paused_until=now + timedelta(minutes=3), pause_reason="flood", ratings_total=7, ratings_day=now.date()
    )
    local = _rater(None)

    found = _remembered_rater.get(pk=rater.pk)

    assert _fields(found) == _fields(Rater.objects.get(pk=rater.pk))
    assert timezone.is_aware(found.paused_until) and found.active_pause() == rater.active_pause()
    assert found._state.adding is False and found._state.db == "default"
    assert _remembered_rater.get(pk=local.pk) is None  # a local account is never a key's rater
    assert _remembered_rater.get(pk=rater.pk + local.pk + 1000) is None


def test_the_anonymous_rater_of_an_address(db):
    client = anonymous_client_hash("192.0.2.7")
    rater = Rater(horde_id=ANONYMOUS_HORDE_ID, username="Anonymous", anonymous_client=client)
    rater.set_unusable_password()
    rater.save()

    assert _anonymous_rater.get(client=client) == rater
    assert _anonymous_rater.get(client=anonymous_client_hash("192.0.2.8")) is None


def test_a_public_dataset_by_its_id_and_never_a_private_one(db):
    public = Dataset.objects.create(slug="open", name="Open", public=True)
    private = Dataset.objects.create(slug="closed", name="Closed", public=False)

    assert _fields(_public_dataset.get(public_id=public.public_id)) == _fields(public)
    assert _public_dataset.get(public_id=private.public_id) is None


def test_a_value_the_query_does_not_take_is_refused_on_the_first_call(db):
    query = OneRowQuery(lambda pk: Rater.objects.filter(horde_id=5)[:1], pk=Rater._meta.pk)

    with pytest.raises(ImproperlyConfigured):
        query.get(pk=1)
