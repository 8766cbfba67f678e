"""The attacker's link, `/embed/rate/?token=<attacker's token>`, followed from the attacker's page as a top-level page
in Chromium, signs nobody in (issue 20, point 3): the page says the link works only inside the app, the browser
gets no session cookie, and the site's own pages then ask the victim to log in instead of rating for the attacker.

The site is served by gunicorn on http://localhost:<port>; the attacker's page is another site (127.0.0.1), and the
token is a real one, got for a listed client app with the attacker's own key."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.embed_helpers import (
    TIMEOUT_MS,
    embed_site,  # noqa: F401 (fixture)
    serve_client,  # noqa: F401 (fixture)
    shot,
    token_for,
)
from tests.served_site import served_site  # noqa: F401 (fixtures)


@pytest.mark.browser
def test_the_attackers_link_opened_as_a_page_logs_nobody_in(browser: Browser, embed_site, serve_client) -> None:
    client_app, attacker = serve_client(), serve_client()
    site = embed_site(client_app)
    site.manage("seed_demo", "--count", "4")
    link = f"{site.url}/embed/rate/?token={token_for(site, client_app)}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{attacker}/")

    page.evaluate("url => { window.location.href = url; }", link)  # the victim follows the attacker's link

    expect(page.get_by_test_id("embed-refused")).to_contain_text("signed nobody in")
    expect(page.get_by_text("DemoRater")).to_have_count(0)
    shot(page, "embed-token-link-opened-top-level")
    assert [c for c in context.cookies(site.url) if c["name"] == settings.SESSION_COOKIE_NAME] == []

    page.goto(f"{site.url}/rate/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_text("DemoRater")).to_have_count(0)
    page.goto(f"{site.url}/kudos/")
    expect(page).to_have_url(re.compile(r"/login/"))
    context.close()
