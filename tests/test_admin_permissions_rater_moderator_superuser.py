"""Who reaches what in the admin. A rater logged in to the site cannot reach the admin at all. A Horde moderator
(logged in to the admin with their Horde key) reaches the moderators' pages and acts (the rater page and its acts,
the history of acts, the ratings list's acts) and nothing else: they delete no rater, rating or image, add no
dataset, change no rater's fields, and never see the groups and permissions. A local superuser reaches all."""

from __future__ import annotations

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.moderation.models import ModerationAction
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, admin_login
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import act_url, page_of, post

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def farmer(make_images) -> Rater:
    rater = horde_rater("Farmer")
    rate(rater, make_images(1)[0], 5)
    return rater


def _moderators_pages(rater: Rater) -> list[str]:
    return [
        "/admin/",
        page_of(rater),
        "/admin/raters/rater/",
        "/admin/ratings/rating/",
        "/admin/moderation/moderationaction/",
    ]


def _forbidden_pages(rater: Rater) -> list[str]:
    rating, image = Rating.objects.get(rater=rater), Image.objects.first()
    return [
        f"/admin/raters/rater/{rater.pk}/delete/",
        f"/admin/ratings/rating/{rating.pk}/delete/",
        f"/admin/datasets/image/{image.pk}/delete/",
        "/admin/datasets/dataset/add/",
        "/admin/raters/rater/add/",
        f"/admin/raters/rater/{rater.pk}/password/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ]


def _superuser() -> Client:
    client = Client()
    client.force_login(Rater.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def test_a_rater_cannot_reach_the_admin(login, farmer):
    client = login(DEMO_KEY)

    for url in [*_moderators_pages(farmer), *_forbidden_pages(farmer)]:
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/"), url
    answer = post(client, act_url(farmer, "ban"), {"ban-reason": "no"})
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    assert not ModerationAction.objects.exists()


def test_a_horde_moderator_reaches_the_moderators_pages_and_acts(farmer):
    moderator = admin_login()

    for url in _moderators_pages(farmer):
        assert moderator.get(url).status_code == 200, url
    page = moderator.get(page_of(farmer)).content.decode()
    assert act_url(farmer, "ban") in page and act_url(farmer, "invalidate_span") in page
    ratings = moderator.get("/admin/ratings/rating/").content.decode()
    assert 'value="invalidate_selected"' in ratings and 'value="restore_selected"' in ratings
    assert 'value="delete_selected"' not in ratings
    history = moderator.get("/admin/moderation/moderationaction/").content.decode()
    assert 'value="undo_selected"' in history

    assert post(moderator, act_url(farmer, "ban"), {"ban-reason": "farming"}).status_code == 302
    assert ModerationAction.objects.filter(rater=farmer, kind="ban").exists()


def test_a_horde_moderator_deletes_adds_and_changes_nothing_else(farmer):
    moderator = admin_login()

    for url in _forbidden_pages(farmer):
        assert moderator.get(url).status_code == 403, url
    changed = post(moderator, page_of(farmer), {"username": "Renamed#1", "is_superuser": "on", "is_staff": "on"})
    assert changed.status_code == 403
    farmer.refresh_from_db()
    assert farmer.username.startswith("Farmer") and not farmer.is_superuser
    act = ModerationAction.objects.create(kind="ban", rater=farmer, reason="x")
    assert moderator.get(f"/admin/moderation/moderationaction/{act.pk}/delete/").status_code == 403
    assert moderator.get("/admin/moderation/moderationaction/add/").status_code == 403
    rating = Rating.objects.get(rater=farmer)
    deleted = post(moderator, "/admin/ratings/rating/", {"action": "delete_selected", "_selected_action": [rating.pk]})
    assert Rating.objects.filter(pk=rating.pk).exists(), deleted.status_code


def test_staff_without_the_right_to_act_on_raters_sees_the_page_but_cannot_act(farmer):
    from django.contrib.auth.models import Permission

    staff = Rater.objects.create_user("helper", password="pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_rater"))
    client = Client()
    client.force_login(staff)

    page = client.get(page_of(farmer))

    assert page.status_code == 200 and act_url(farmer, "ban") not in page.content.decode()
    assert client.post(act_url(farmer, "ban"), {"ban-reason": "farming"}).status_code == 403
    assert not ModerationAction.objects.exists()


def test_a_superuser_reaches_all(farmer):
    root = _superuser()

    for url in [*_moderators_pages(farmer), *_forbidden_pages(farmer)]:
        assert root.get(url).status_code == 200, url
    assert root.post(act_url(farmer, "ban"), {"ban-reason": "farming"}).status_code == 302
    assert ModerationAction.objects.filter(rater=farmer, kind="ban").exists()
