"""Every page of the site links the API's documentation and the open dataset's downloads from its footer, and the
home page says so in its text too; the links lead there. Embedded pages, which have no footer, do not."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import DEMO_KEY

FOOTER = re.compile(r"<footer>(.*?)</footer>", re.S)
API_DOCS = 'href="/api/"'
DATASET = 'href="/api/v1/download/"'


def _footer(html: str) -> str:
    found = FOOTER.search(html)
    assert found, "the page has no footer"
    return found.group(1)


@pytest.mark.parametrize("path", ["/", "/login/", "/no-such-page/"])
def test_the_pages_anyone_sees_link_both(client: Client, db, path: str) -> None:
    footer = _footer(client.get(path).content.decode())

    assert API_DOCS in footer and DATASET in footer


@pytest.mark.parametrize("path", ["/rate/", "/ratings/", "/kudos/", "/generations/"])
def test_a_raters_pages_link_both(login, make_images, path: str) -> None:
    make_images(1)
    footer = _footer(login(DEMO_KEY).get(path).content.decode())

    assert API_DOCS in footer and DATASET in footer


def test_the_home_page_says_where_they_are(client: Client, db) -> None:
    html = client.get("/").content.decode()
    intro = html[html.index('data-testid="open-links"') :].split("</p>")[0]

    assert DATASET in intro and API_DOCS in intro
    assert "Download the dataset" in intro and "the API's documentation" in intro


def test_the_links_lead_to_the_docs_and_the_downloads(client: Client, db) -> None:
    docs = client.get("/api/", follow=True)
    downloads = client.get("/api/v1/download/")

    assert docs.status_code == 200 and docs.redirect_chain and "text/html" in docs["Content-Type"]
    assert downloads.status_code == 200 and "files" in downloads.json()
