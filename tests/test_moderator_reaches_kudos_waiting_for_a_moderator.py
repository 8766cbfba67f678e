"""A Horde moderator logged in to the admin sees the kudos lines waiting for a moderator and settles them ("mark
paid", "send again"), also where the moderators' group was made before it held those rights; a plain rater cannot
reach the admin at all."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.test import Client

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import MODERATORS_GROUP, Rater
from tests.conftest import DEMO_KEY, MODERATOR_KEY, admin_login

LIST = "/admin/kudos/kudosreward/"



def _waiting_line() -> KudosReward:
    rater = Rater.objects.create(username="Farmer#77", horde_id=77)
    return KudosReward.objects.create(
        rater=rater, amount=5, status=KudosReward.Status.SENDING, attempts=1, last_error="The Horde did not answer."
    )


def _mark_paid(client: Client, line: KudosReward):
    return client.post(
        LIST,
        {
            "action": "mark_paid",
            "_selected_action": [line.pk],
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )


def test_a_moderator_sees_the_waiting_lines_and_marks_one_paid(db):
    line = _waiting_line()
    client = admin_login(MODERATOR_KEY)

    page = client.get(LIST, {"waiting": "yes"})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"{LIST}{line.pk}/change/" in html and "The Horde did not answer." in html
    assert 'value="mark_paid"' in html and 'value="send_again"' in html
    assert _mark_paid(client, line).status_code == 302
    line.refresh_from_db()
    assert line.status == KudosReward.Status.PAID and line.paid_at is not None


def test_a_moderators_group_made_before_gets_the_kudos_rights_at_the_next_login(db):
    old = Group.objects.create(name=MODERATORS_GROUP)
    old.permissions.set(Permission.objects.filter(codename__in=["view_image", "change_image", "view_rating"]))
    line = _waiting_line()

    client = admin_login(MODERATOR_KEY)

    assert client.get(LIST, {"waiting": "yes"}).status_code == 200
    assert _mark_paid(client, line).status_code == 302
    line.refresh_from_db()
    assert line.status == KudosReward.Status.PAID


def test_a_moderator_changes_no_field_of_a_line(db):
    line = _waiting_line()
    client = admin_login(MODERATOR_KEY)

    html = client.get(f"{LIST}{line.pk}/change/").content.decode()

    assert 'name="amount"' not in html and 'name="status"' not in html


def test_a_plain_rater_cannot_reach_the_admin(db, login):
    _waiting_line()
    client = login(DEMO_KEY)

    for url in ("/admin/", LIST):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    assert admin_login(DEMO_KEY).get(LIST).status_code == 302
