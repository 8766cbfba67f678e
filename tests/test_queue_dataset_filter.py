"""/rate/<slug>/ serves only that dataset; non-public datasets are never served and their slug is 404."""

import re

import pytest

from ratings_site.datasets.models import Dataset
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from ratings_site.ratings.selectors import next_image_for
from ratings_site.ratings.services import skip_image
from tests.conftest import DEMO_KEY, csrf_token

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
UPCOMING = re.compile(r'name="upcoming" value="([^"]*)"')


@pytest.fixture
def datasets(make_images):
    Dataset.objects.create(slug="secret", name="Secret", public=False)
    return {
        "flowers": make_images(5, dataset="flowers"),
        "cities": make_images(5, dataset="cities"),
        # Higher priority: served first everywhere, if the filter let it through.
        "secret": make_images(5, dataset="secret", priority=10.0),
    }


def _ids(images) -> set[str]:
    return {str(image.public_id) for image in images}


def _rate_everything_on(client, page_url: str, limit: int) -> tuple[list[str], str]:
    """Rate every image the page serves (plain form posts), until it shows the empty state."""
    seen: list[str] = []
    page = client.get(page_url)
    assert page.status_code == 200
    while (found := SHOWN.search(page.content.decode())) is not None:
        seen.append(found.group(1))
        assert len(seen) <= limit, "the page kept serving images"
        html = page.content.decode()
        response = client.post(
            f"/images/{found.group(1)}/rate/",
            {
                "rating": "6",
                "dataset": re.search(r'name="dataset" value="([^"]*)"', html).group(1),
                "upcoming": UPCOMING.search(html).group(1),
                "csrfmiddlewaretoken": csrf_token(client),
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
        assert response["Location"].startswith(page_url)
        page = client.get(response["Location"])
    return seen, page.content.decode()


def test_the_dataset_page_serves_only_that_datasets_images(datasets, login):
    client = login(DEMO_KEY)

    seen, last_page = _rate_everything_on(client, "/rate/flowers/", limit=15)

    assert sorted(seen) == sorted(_ids(datasets["flowers"]))
    assert "Nothing left to rate" in last_page
    assert "in Flowers" in last_page
    # The other public dataset is still waiting on /rate/.
    assert SHOWN.search(client.get("/rate/").content.decode()).group(1) in _ids(datasets["cities"])


def test_the_all_datasets_page_never_serves_a_non_public_dataset(datasets, login):
    client = login(DEMO_KEY)

    seen, last_page = _rate_everything_on(client, "/rate/", limit=15)

    assert set(seen) == _ids(datasets["flowers"]) | _ids(datasets["cities"])
    assert not set(seen) & _ids(datasets["secret"])
    assert "Nothing left to rate" in last_page


def test_the_selector_filters_by_dataset_and_leaves_out_non_public_ones(datasets):
    rater = Rater.objects.create(username="Filter#7001", horde_id=7001)
    cities = Dataset.objects.get(slug="cities")

    served = []
    while (image := next_image_for(rater, dataset=cities)) is not None:
        served.append(image)
        skip_image(rater=rater, image=image)
        assert len(served) <= 15
    assert _ids(served) == _ids(datasets["cities"])

    other = Rater.objects.create(username="Filter#7002", horde_id=7002)
    assert next_image_for(other).dataset.slug in {"flowers", "cities"}


def test_a_non_public_datasets_slug_is_404(datasets, login):
    client = login(DEMO_KEY)

    assert client.get("/rate/secret/").status_code == 404
    assert client.get("/rate/no-such-dataset/").status_code == 404


def test_a_rating_posted_for_a_non_public_dataset_is_404_and_not_stored(datasets, login):
    client = login(DEMO_KEY)
    image = datasets["flowers"][0]

    response = client.post(
        f"/images/{image.public_id}/rate/",
        {"rating": "6", "dataset": "secret", "csrfmiddlewaretoken": csrf_token(client)},
    )

    assert response.status_code == 404
    assert not Rating.objects.exists()
