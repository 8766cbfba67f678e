"""Login asks the Horde who the key belongs to, with our Client-Agent header and the key in `apikey`."""

from django.conf import settings

from tests.conftest import DEMO_KEY


def test_the_find_user_request_carries_our_client_agent(login, horde):
    login(DEMO_KEY)

    find_user = [r for r in horde.requests if r["path"] == "/v2/find_user"]
    assert len(find_user) == 1
    assert find_user[0]["method"] == "GET"
    assert find_user[0]["client_agent"] == settings.HORDE_CLIENT_AGENT
    assert find_user[0]["client_agent"].count(":") >= 2  # name:version:contact
    assert find_user[0]["has_apikey"] is True
