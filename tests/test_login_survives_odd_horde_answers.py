"""Identity is the Horde id; a username is display data. Odd but real answers from find_user log in (or are
refused with a message), never a 500, and never rename or merge someone else."""

from __future__ import annotations

from django.test import Client

from ratings_site.demo.standin import horde_user
from ratings_site.raters.models import Rater
from tests.conftest import ANONYMOUS_KEY


def _log_in(key: str):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/login/").cookies["csrftoken"].value
    return client, client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})


def test_a_horde_name_equal_to_a_local_admin_logs_in_beside_it(db, horde):
    admin = Rater.objects.create_superuser("admin", "admin@example.org", "pw")
    horde.add_user("odd-key-0001", horde_user("admin", 2001))

    _, response = _log_in("odd-key-0001")

    assert response.status_code == 302
    rater = Rater.objects.get(horde_id=2001)
    assert rater.username == "admin" and rater.pk != admin.pk and not rater.is_staff
    assert Client().login(username="admin", password="pw")  # the local admin still logs in as itself


def test_the_same_name_under_another_id_is_another_rater(db, horde):
    horde.add_user("odd-key-0001", horde_user("Twin#1", 2001))
    horde.add_user("odd-key-0002", horde_user("Twin#1", 2002))

    assert _log_in("odd-key-0001")[1].status_code == 302
    assert _log_in("odd-key-0002")[1].status_code == 302

    assert sorted(Rater.objects.filter(username="Twin#1").values_list("horde_id", flat=True)) == [2001, 2002]


def test_an_id_beyond_64_bits_is_refused_with_a_message(db, horde):
    for n, user_id in enumerate([2**63, 2**64 + 5, -3, "12x", True]):
        horde.add_user(f"odd-key-{n}", horde_user("Huge#1", 1) | {"id": user_id})

        _, response = _log_in(f"odd-key-{n}")

        assert response.status_code == 502, (user_id, response.status_code)
        assert "The Horde sent an account this site cannot use" in response.content.decode()
    assert Rater.objects.count() == 0


def test_a_long_name_is_cut_to_fit_and_keeps_its_number(db, horde):
    horde.add_user("odd-key-0001", horde_user("L" * 400 + "#2001", 2001))

    _, response = _log_in("odd-key-0001")

    assert response.status_code == 302
    rater = Rater.objects.get(horde_id=2001)
    assert len(rater.username) <= 150
    assert rater.username.endswith("#2001") and rater.username.startswith("LLL")


def test_a_name_with_nul_and_control_characters_is_cleaned(db, horde):
    horde.add_user("odd-key-0001", horde_user("Bad\x00Name\r\n\u202e#2001", 2001))

    _, response = _log_in("odd-key-0001")

    assert response.status_code == 302
    assert Rater.objects.get(horde_id=2001).username == "BadName#2001"


def test_an_empty_name_gets_one_from_the_id(db, horde):
    horde.add_user("odd-key-0001", horde_user("\x00 ", 2001))

    assert _log_in("odd-key-0001")[1].status_code == 302
    assert Rater.objects.get(horde_id=2001).username == "#2001"


def test_an_answer_with_id_0_and_another_name_does_not_rename_the_anonymous_raters(db, horde):
    _log_in(ANONYMOUS_KEY)
    horde.add_user("odd-key-0001", horde_user("Mallory#0", 0))

    _, response = _log_in("odd-key-0001")

    assert response.status_code == 302
    assert set(Rater.objects.filter(horde_id=0).values_list("username", flat=True)) == {"Anonymous#0"}


def test_a_name_of_another_type_is_refused_with_a_message(db, horde):
    horde.add_user("odd-key-0001", horde_user("x", 2001) | {"username": {"nested": 1}})

    _, response = _log_in("odd-key-0001")

    assert response.status_code == 502
    assert Rater.objects.count() == 0
