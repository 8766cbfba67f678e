"""/settings/ lets a logged-in rater hide NSFW images (off by default) and leave the stats page's top raters (in by
default): GET shows the form, a POST (CSRF-checked) saves both, says so and comes back to the page; a value that is
neither on nor off is refused with 400 and a message, saving nothing and keeping what was sent. The header links to
it for raters and to the stats page for everyone. In a browser it is reached and used with the keyboard alone and
fits a 390 px phone and a 1366×768 screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from ratings_site.raters.models import Rater
from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)
from tests.conftest import DEMO_KEY, csrf_token
from tests.screen_helpers import viewport

DEMO_HORDE_ID = 1001  # the stand-in Horde's id for DEMO_KEY
CHECKBOX = re.compile(r'<input type="checkbox" name="(\w+)"[^>]*?( checked)?>')


def _boxes(html: str) -> dict[str, bool]:
    """Each checkbox of the page by name, and whether it is ticked."""
    return {name: bool(checked) for name, checked in CHECKBOX.findall(html)}


def _rater() -> Rater:
    return Rater.objects.get(horde_id=DEMO_HORDE_ID)


def _post(client: Client, data: dict[str, str]):
    return client.post("/settings/", {**data, "csrfmiddlewaretoken": csrf_token(client)})


@pytest.mark.django_db
class TestTheForm:
    def test_it_asks_visitors_to_log_in(self, client):
        response = client.get("/settings/")

        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/settings/"

    def test_it_shows_the_defaults_and_says_what_hiding_hides(self, login, settings):
        settings.NSFW_HIDE_TAGS, settings.NSFW_HIDE_PUNSAFE = 3, 0.25
        response = login(DEMO_KEY).get("/settings/")

        html = response.content.decode()
        assert response.status_code == 200
        assert _boxes(html) == {"hide_nsfw": False, "in_top_raters": True}
        assert "Hide NSFW images" in html and "Show me in the stats page&#x27;s top raters" in html
        assert "3 or more raters tagged NSFW" in html and "(punsafe) of 0.25 or more" in html

    def test_it_saves_both_and_comes_back_saying_so(self, login):
        client = login(DEMO_KEY)

        response = _post(client, {"hide_nsfw": "on"})  # the stats box left empty: a browser sends nothing for it

        assert response.status_code == 302 and response["Location"] == "/settings/"
        rater = _rater()
        assert rater.hide_nsfw is True and rater.in_top_raters is False
        page = client.get("/settings/").content.decode()
        assert "Your settings are saved." in page
        assert _boxes(page) == {"hide_nsfw": True, "in_top_raters": False}

        _post(client, {"in_top_raters": "on"})

        assert (_rater().hide_nsfw, _rater().in_top_raters) == (False, True)

    def test_it_writes_only_the_preferences(self, login):
        client = login(DEMO_KEY)
        page = client.get("/settings/")  # the rater row as the page read it...
        Rater.objects.filter(horde_id=DEMO_HORDE_ID).update(username="Renamed#1001", flagged=True)  # ...then changed

        _post(client, {"hide_nsfw": "on", "in_top_raters": "on"})

        rater = _rater()
        assert page.status_code == 200
        assert (rater.username, rater.flagged, rater.hide_nsfw) == ("Renamed#1001", True, True)

    def test_a_post_without_the_csrf_token_is_refused(self, login):
        client = login(DEMO_KEY)

        response = client.post("/settings/", {"hide_nsfw": "on"})

        assert response.status_code == 403
        assert _rater().hide_nsfw is False

    @pytest.mark.parametrize("value", ["maybe", "2", "on\x00"])
    def test_a_value_neither_on_nor_off_is_refused_with_a_message(self, login, value):
        client = login(DEMO_KEY)

        response = _post(client, {"hide_nsfw": "on", "in_top_raters": value})

        html = response.content.decode()
        assert response.status_code == 400
        assert "Nothing was saved." in html and "is on or off" in html
        assert _boxes(html)["hide_nsfw"] is True  # what the rater ticked is still ticked
        assert (_rater().hide_nsfw, _rater().in_top_raters) == (False, True)

    def test_the_header_links_settings_for_raters_and_stats_for_everyone(self, login, client):
        visitor = client.get("/").content.decode()
        rater = login(DEMO_KEY).get("/kudos/").content.decode()

        assert 'href="/stats/"' in visitor and 'href="/settings/"' not in visitor
        assert 'href="/stats/"' in rater and 'href="/settings/"' in rater


def _tab_to(page: Page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)], ids=["phone-390", "1366x768"])
def test_a_rater_sets_the_preferences_with_the_keyboard_on_a_phone_and_a_laptop(
    open_page: Callable[..., Page], width: int, height: int
) -> None:
    page = open_page(**viewport(width, height))
    log_in(page)
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Stats", exact=True)).to_be_visible()
    header.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    hide = page.get_by_role("checkbox", name="Hide NSFW images")
    listed = page.get_by_role("checkbox", name="Show me in the stats page's top raters")
    expect(hide).not_to_be_checked()
    expect(listed).to_be_checked()
    expect(page.get_by_test_id("hide-nsfw-hint")).to_contain_text("2 or more raters tagged NSFW")

    _tab_to(page, "id_hide_nsfw")
    page.keyboard.press("Space")
    _tab_to(page, "id_in_top_raters")
    page.keyboard.press("Space")
    _tab_to(page, "save-settings")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("message")).to_contain_text("Your settings are saved.")
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(hide).to_be_checked()
    expect(listed).not_to_be_checked()
    assert (_rater().hide_nsfw, _rater().in_top_raters) == (True, False)
    for element in (hide, listed, page.get_by_role("button", name="Save settings")):
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
