"""The forward's user owns the rating it brings: matched by Horde id (an existing rater is left as it is), the
anonymous user owns nothing, and a set registered by someone else goes to the request's owner on the Horde."""

import uuid

import pytest

from ratings_site.generations.models import GenerationSet, Preference, Source
from ratings_site.raters.models import Rater
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_token")]

IDS = ["g1", "g2"]
RATINGS = [{"id": "g1", "rating": 9}, {"id": "g2", "rating": 4}]


def test_an_existing_rater_is_matched_by_horde_id_and_left_unchanged():
    rater = Rater.objects.create(username="Old Name#321", horde_id=321, trusted=False)
    request_id = str(uuid.uuid4())

    response = forward(horde_payload(request_id, IDS, username="New Name#321", ratings=RATINGS))

    assert response.status_code == 201
    assert GenerationSet.objects.get().rater == rater and Rater.objects.count() == 1
    rater.refresh_from_db()
    assert (rater.username, rater.trusted) == ("Old Name#321", False)


def test_an_anonymous_set_is_recorded_without_an_owner():
    response = forward(horde_payload(str(uuid.uuid4()), IDS, username="Anonymous#0", ratings=RATINGS))

    assert response.status_code == 201
    stored = GenerationSet.objects.get()
    assert stored.rater is None and stored.rated_via == Source.HORDE
    assert not Rater.objects.exists()
    assert list(Preference.objects.values_list("rater", flat=True)) == [None]


def test_a_set_registered_by_another_rater_goes_to_the_requests_owner():
    squatter = Rater.objects.create(username="Squatter#900", horde_id=900)
    request_id = str(uuid.uuid4())
    registered = GenerationSet.objects.create(request_id=request_id, rater=squatter, source=Source.CLIENT)
    for position, image_id in enumerate(IDS):
        registered.images.create(generation_id=image_id, position=position)

    response = forward(horde_payload(request_id, IDS, username="Owner#901", ratings=RATINGS))

    assert response.status_code == 201
    registered.refresh_from_db()
    assert registered.rater.horde_id == 901 and registered.is_rated
    assert set(Preference.objects.values_list("rater__horde_id", flat=True)) == {901}
