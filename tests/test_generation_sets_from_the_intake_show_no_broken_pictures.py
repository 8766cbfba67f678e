"""A set that reached us only through the Horde's intake (rated in another client) has no picture links: the
rater's list and the set's page say so instead of showing broken-image icons."""

import uuid

import pytest

from tests.conftest import DEMO_KEY
from tests.intake_helpers import forward, horde_payload, intake_token  # noqa: F401 (fixture)


@pytest.mark.django_db
def test_the_list_and_the_page_show_a_placeholder_for_pictures_the_horde_never_sent(login, intake_token):  # noqa: F811
    request_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    answer = forward(horde_payload(request_id, ids, ratings=[{"id": ids[0], "rating": 8}, {"id": ids[1], "rating": 3}]))
    assert answer.status_code == 201, answer.content
    client = login(DEMO_KEY)  # DemoRater#1001, the payload's user

    listing = client.get("/generations/").content.decode()
    page = client.get(f"/generations/{request_id}/").content.decode()

    assert request_id in listing
    assert 'src=""' not in listing and listing.count('data-testid="no-picture"') == 2
    assert 'src=""' not in page and page.count("No picture: the Horde sent this image's rating without it") == 2
    assert "Image 1: 8" in page
