"""The header's "N rated today · M in all" is kept on the rater's row (Rater.ratings_total, ratings_today of
ratings_day: issue 24, no page counts a rater's history) and always equals a recount of the rater's ratings and passed
checks, after every act that stores, removes or re-judges them: ratings, a passed and a missed check, undoing a rating
and a passed check, a delete from /ratings/ and its Undo, a moderator's invalidation and its restore, a ban and an
unban. Reading them costs a page no query."""

from __future__ import annotations

import re

import pytest
from django.db.models import Q
from django.test import RequestFactory
from django.utils import timezone

from ratings_site.datasets.models import Dataset
from ratings_site.moderation import actions
from ratings_site.raters.models import Rater
from ratings_site.ratings import restore
from ratings_site.ratings.context_processors import rater_counters
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import rate_via_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]


def _recount(rater: Rater) -> tuple[int, int]:
    """The figures as the header counted them before they were kept: every rating and passed check of the rater."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = today = 0
    for rows in (Rating.objects.filter(rater=rater), CaptchaAnswer.objects.filter(rater=rater, passed=True)):
        total += rows.count()
        today += rows.filter(Q(created_at__gte=start_of_day)).count()
    return today, total


def _header(client) -> tuple[int, int]:
    html = client.get("/settings/").content.decode()
    today = re.search(r'data-testid="ratings-today">(\d+)<', html).group(1)
    total = re.search(r'data-testid="ratings-total">(\d+)<', html).group(1)
    return int(today), int(total)


def _undo_last(client) -> None:
    response = client.post("/ratings/undo/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def rater_and_images(login, make_images):
    client = login(DEMO_KEY)
    images = make_images(5)
    (check,) = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    (missed,) = make_images(1, dataset="checks", is_captcha=True, captcha_answer=2)
    Dataset.objects.filter(slug="checks").update(public=False)
    return client, Rater.objects.get(horde_id=1001), images, check, missed


def test_the_header_equals_a_recount_after_every_act(rater_and_images):
    client, rater, images, check, missed = rater_and_images

    def in_step(expected: tuple[int, int]) -> None:
        assert _recount(rater) == expected
        assert _header(client) == expected

    in_step((0, 0))
    for image in images[:4]:
        rate_via_page(client, image)
    in_step((4, 4))

    rate_via_page(client, check, rating=7)  # passed: a rating to the rater
    rate_via_page(client, missed, rating=9)  # missed: not one
    in_step((5, 5))

    _undo_last(client)  # the passed check, their latest
    in_step((4, 4))
    _undo_last(client)  # then their latest rating
    in_step((3, 3))

    rating = Rating.objects.filter(rater=rater).order_by("pk").first()
    invalidated = actions.invalidate_rating(actor=None, rating=rating, reason="spam")
    in_step((3, 3))  # an invalidated rating no longer counts, but it is still one the rater made
    actions.undo(actor=None, action=invalidated)
    in_step((3, 3))

    banned = actions.ban(actor=None, rater=rater, reason="a script")
    rater.refresh_from_db()
    assert _recount(rater) == (rater.ratings_on(timezone.localdate()), rater.ratings_total) == (3, 3)
    actions.undo(actor=None, action=banned)
    in_step((3, 3))

    deleted = restore.delete_rating(rater=rater, rating_id=rating.pk)  # "Delete" on /ratings/
    in_step((2, 2))
    restore.restore_rating(rater=rater, token=deleted.token)  # and its Undo
    in_step((3, 3))

    rate_via_page(client, images[4])
    in_step((4, 4))


def test_an_htmx_answer_counts_the_rating_it_saved(rater_and_images):
    client, rater, images, _, _ = rater_and_images
    rate_via_page(client, images[0])

    html = client.post(
        f"/images/{images[1].public_id}/rate/",
        {"rating": "6", "csrfmiddlewaretoken": csrf_token(client)},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert re.search(r'data-testid="ratings-total">2<', html)
    assert _recount(rater) == (2, 2)


def test_yesterdays_ratings_are_not_counted_today(rater_and_images):
    client, rater, images, _, _ = rater_and_images
    rate_via_page(client, images[0])
    Rater.objects.filter(pk=rater.pk).update(ratings_day=timezone.localdate() - timezone.timedelta(days=1))

    assert _header(client) == (0, 1)
    rate_via_page(client, images[1])
    assert _header(client) == (1, 2)


def test_the_figures_cost_no_query(rater_and_images, django_assert_num_queries):
    client, rater, images, _, _ = rater_and_images
    rate_via_page(client, images[0])
    request = RequestFactory().get("/kudos/")
    request.user = Rater.objects.get(pk=rater.pk)  # as the authentication loaded it

    with django_assert_num_queries(0):
        counters = rater_counters(request)["rater_counters"]
        figures = (counters["ratings_today"], counters["ratings_total"])

    assert figures == (1, 1)
