"""`manage.py check --deploy` warns when the Horde's forward of rated sets cannot get in: neither
HORDE_RATINGS_SET_ALLOWED_IPS nor HORDE_RATINGS_SET_TOKEN set (W001), or only the token (W002: the Horde sends
none). Each warning says what to set. With the Horde's addresses listed there is no warning; plain `check` (not
--deploy) never warns about it."""

from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.intake_helpers import TOKEN


def intake_warnings(*, deploy: bool = True) -> list:
    return [message for message in run_checks(include_deployment_checks=deploy)
            if message.id.startswith("horde_ratings.")]


def test_neither_the_list_nor_a_token_warns_w001(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", []

    [warning] = intake_warnings()

    assert warning.id == "horde_ratings.W001"
    assert "not configured" in warning.msg and "401" in warning.msg
    assert "HORDE_RATINGS_SET_ALLOWED_IPS" in warning.hint and "FORWARDED_PROXIES" in warning.hint


def test_a_token_without_the_list_warns_w002(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = TOKEN, []

    [warning] = intake_warnings()

    assert warning.id == "horde_ratings.W002"
    assert "sends no token" in warning.msg
    assert "HORDE_RATINGS_SET_ALLOWED_IPS" in warning.hint
    assert TOKEN not in warning.msg + warning.hint


@pytest.mark.parametrize("token", ["", TOKEN])
def test_the_hordes_addresses_listed_is_clean(settings, token):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = token, ["203.0.113.10", "198.51.100.0/28"]

    assert intake_warnings() == []


def test_only_the_deploy_check_warns(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", []

    assert intake_warnings(deploy=False) == []


def test_manage_py_check_deploy_shows_it_and_fails_at_warning_level(settings):
    settings.HORDE_RATINGS_SET_TOKEN, settings.HORDE_RATINGS_SET_ALLOWED_IPS = "", []

    with pytest.raises(SystemCheckError) as failed:
        call_command("check", deploy=True, fail_level="WARNING", stdout=StringIO(), stderr=StringIO())

    assert "horde_ratings.W001" in str(failed.value)
