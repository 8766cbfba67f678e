"""Images of a non-public dataset can't be rated by posting their id directly."""

from ratings_site.datasets.models import Dataset
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, csrf_token


def test_a_direct_post_for_a_non_public_image_is_refused(login, make_images):
    (image,) = make_images(1, dataset="private-set")
    Dataset.objects.filter(slug="private-set").update(public=False)
    client = login(DEMO_KEY)
    response = client.post(f"/images/{image.public_id}/rate/", {"rating": "8", "csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 404
    assert image.ratings.count() == 0
    assert KudosReward.objects.count() == 0
