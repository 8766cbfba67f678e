"""The anonymous key 0000000000 may log in and rate; the page says it earns no kudos, and it earns none."""

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import ANONYMOUS_KEY, csrf_token


def test_the_anonymous_key_logs_in_and_is_told_it_earns_nothing(login):
    client = login(ANONYMOUS_KEY)

    rater = Rater.objects.get(horde_id=0)
    assert rater.username == "Anonymous#0"
    assert rater.is_horde_anonymous
    page = client.get("/rate/").content.decode()
    assert "anonymous key" in page
    assert "earn no kudos" in page


def test_the_kudos_page_says_it_earns_nothing(login):
    client = login(ANONYMOUS_KEY)

    page = client.get("/kudos/").content.decode()

    assert "earn no kudos" in page


def test_an_anonymous_rating_counts_but_writes_no_reward(login, make_images):
    (image,) = make_images(1)
    client = login(ANONYMOUS_KEY)

    response = client.post(
        f"/images/{image.public_id}/rate/", {"rating": "8", "csrfmiddlewaretoken": csrf_token(client)}
    )

    assert response.status_code == 302
    assert Rating.objects.filter(image=image, rater__horde_id=0, rating=8).count() == 1
    assert KudosReward.objects.count() == 0
