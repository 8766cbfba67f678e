"""Behind a TLS proxy (which tells the site `X-Forwarded-Proto: https`), the image URLs the API hands out are https
even with SECURE_SSL_REDIRECT off, once TRUST_X_FORWARDED_PROTO is on: an http URL would be mixed content on a client
app's https page (ArtBot), and the browser would not show it. Without the setting the header is not believed (a
client cannot make the site claim https). The site runs as production runs it (tests/served_site.py), with the proxy
on another host: gunicorn itself believes X-Forwarded-Proto only from its FORWARDED_ALLOW_IPS (127.0.0.1 by default,
which would hide what the site does), so it is given an address that is not the test's."""

from __future__ import annotations

import json
import subprocess
import urllib.request

from tests.conftest import DEMO_KEY
from tests.served_site import PYTHON, ROOT, _environment, served_site  # noqa: F401 (fixtures)


def _next_image_url(site, *, forwarded_proto: str) -> str:
    request = urllib.request.Request(
        f"{site.url}/api/v1/rating/new",
        headers={"apikey": DEMO_KEY, "Client-Agent": "Test:1.0:tests", "X-Forwarded-Proto": forwarded_proto},
    )
    with site.opener.open(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())["url"]


def _start_with_images(served_site, _prepared_site, horde, **env: str):
    env = {"CAPTCHA_RATE": "0", "SECURE_SSL_REDIRECT": "false", "FORWARDED_ALLOW_IPS": "192.0.2.1", **env}
    site = served_site(env=env)
    environment = _environment(site.log_path.parent, _prepared_site / "static", horde.url, env)
    done = subprocess.run([PYTHON, "manage.py", "seed_demo", "--count", "2"], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_image_urls_are_https_when_the_proxy_is_trusted(served_site, _prepared_site, horde):
    site = _start_with_images(served_site, _prepared_site, horde, TRUST_X_FORWARDED_PROTO="true")

    url = _next_image_url(site, forwarded_proto="https")

    assert url.startswith("https://127.0.0.1:"), url


def test_the_header_is_not_believed_by_default_without_the_redirect(served_site, _prepared_site, horde):
    site = _start_with_images(served_site, _prepared_site, horde)

    url = _next_image_url(site, forwarded_proto="https")

    assert url.startswith("http://127.0.0.1:"), url
