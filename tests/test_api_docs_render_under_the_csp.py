"""/api/docs/ in a browser: Swagger UI, from our own static files, shows the API's operations, and the site's
strict CSP (script-src and style-src 'self', nothing inline) refuses nothing on the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import browser, open_page  # noqa: F401 (fixtures)


def test_the_page_loads_only_files_of_this_site(client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and "style=" not in html
    assert "<script>" not in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe" not in policy


@pytest.mark.browser
def test_the_docs_show_the_operations_with_no_csp_violation(
    open_page: Callable[..., Page], live_server, transactional_db
) -> None:
    page = open_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    violations: list[str] = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"
    )
    requests_elsewhere: list[str] = []
    page.on("request", lambda request: requests_elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)

    page.goto("/api/docs/")

    expect(page.get_by_text("Horde Ratings API", exact=False).first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/generations").first).to_be_visible()
    expect(page.get_by_text("Register a generation set before rating it").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/generations").first.click()
    expect(page.get_by_text("X-Ratings-Set-Token").or_(page.get_by_text("Client-Agent")).first).to_be_visible()
    assert violations == [], violations
    assert not [m for m in messages if "Content Security Policy" in m or m.startswith("pageerror")], messages
    assert requests_elsewhere == [], requests_elsewhere
