"""The site has an icon: pages link it, and /favicon.ico (asked for by browsers on the admin's pages) leads to it."""

from django.contrib.staticfiles import finders


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon_url = response["Location"]
    assert icon_url.endswith("favicon.svg")
    assert f'<link rel="icon" href="{icon_url}" type="image/svg+xml">' in client.get("/login/").content.decode()
    found = finders.find("favicon.svg")
    assert found and open(found).read().startswith("<svg")
