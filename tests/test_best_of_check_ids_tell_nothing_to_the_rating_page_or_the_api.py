"""A best-of page shows its images' ids, a check's among them. Posted to the rating page or the API as ratings,
the check's id is answered exactly as its neighbours' are (an image never served there: refused, nothing stored),
so neither can be used to find which image of a group is the check."""

from __future__ import annotations

import pytest

from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.bestof_check_helpers import best_checks, make_file_groups, media  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY, csrf_token
from tests.rating_api_helpers import api_rate

pytestmark = pytest.mark.usefixtures("media", "no_captchas")


@pytest.fixture(autouse=True)
def floor(settings):
    settings.RATING_MIN_SECONDS = 0.5


def test_the_check_and_its_neighbours_are_refused_alike(login):
    [shown] = make_file_groups(1, size=3)
    [check] = best_checks(1)
    client = login(DEMO_KEY)

    page_answers, api_answers = set(), set()
    for image in [*shown.images, check]:
        answer = client.post(
            f"/images/{image.public_id}/rate/",
            {"rating": "7", "dataset": "", "csrfmiddlewaretoken": csrf_token(client)},
            headers={"HX-Request": "true"},
        )
        page_answers.add((answer.status_code, "That card was out of date, so nothing was saved." in answer.content.decode()))
        refused = api_rate(image.public_id, {"rating": 7}, apikey=DEMO_KEY)
        api_answers.add((refused.status_code, refused.json()["message"]))

    assert page_answers == {(400, True)}
    assert len(api_answers) == 1 and next(iter(api_answers))[0] == 403
    assert not Rating.objects.exists() and not CaptchaAnswer.objects.exists()
