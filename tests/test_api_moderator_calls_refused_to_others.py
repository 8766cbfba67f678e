"""The moderators' calls answer Horde moderators and this site's staff only: no key is a 401, an ordinary
rater's key and the anonymous key are 403, each with a JSON {"message"}."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from ratings_site.demo.standin import horde_user
from ratings_site.raters.models import Rater
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY

pytestmark = pytest.mark.django_db

MODERATOR_KEY = "demo-moderator-0003"


@pytest.fixture
def paths(make_images):
    (image,) = make_images(1)
    Rater.objects.create(username="Someone#5901", horde_id=5901)
    return [
        f"/api/v1/image/ratings/{image.public_id}",
        "/api/v1/user/check/5901",
        "/api/v1/user/validate/5901",
        "/api/v1/user/ratings/",
    ]


def test_without_a_key_it_is_401(paths):
    for path in paths + [p + "?format=html" for p in paths]:
        response = Client().get(path)

        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/json"
        assert "apikey" in response.json()["message"]


def test_an_ordinary_raters_key_is_403(paths):
    for path in paths:
        response = Client().get(path, headers={"apikey": DEMO_KEY})

        assert response.status_code == 403, path
        assert response.json() == {"message": "Only the Horde's moderators and this site's staff may use the "
                                              "moderators' calls."}


def test_the_anonymous_key_is_403(paths, horde):
    for path in paths:
        response = Client().get(path, headers={"apikey": ANONYMOUS_KEY})

        assert response.status_code == 403, path
        assert "moderators" in response.json()["message"]
    assert not Rater.objects.filter(horde_id=0).exists()


def test_a_moderator_on_the_horde_is_answered(paths):
    for path in paths:
        assert Client().get(path, headers={"apikey": MODERATOR_KEY}).status_code == 200, path


def test_a_rater_who_is_staff_here_is_answered(paths):
    """Staff: a local admin put the rater in a group of this site (the login keeps them staff then)."""
    rater = Rater.objects.create(username="DemoRater#1001", horde_id=1001, is_staff=True)
    rater.groups.add(Group.objects.create(name="reviewers"))

    for path in paths:
        assert Client().get(path, headers={"apikey": DEMO_KEY}).status_code == 200, path


def test_a_moderator_whom_the_horde_no_longer_calls_one_is_refused(paths, horde):
    assert Client().get(paths[0], headers={"apikey": MODERATOR_KEY}).status_code == 200
    horde.add_user(MODERATOR_KEY, horde_user("Moderator#1003", 1003, moderator=False))
    cache.clear()  # the key's answer is remembered for a while

    response = Client().get(paths[0], headers={"apikey": MODERATOR_KEY})

    assert response.status_code == 403
