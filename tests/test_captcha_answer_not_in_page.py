"""A captcha served on the rate page must not give its answer away in the HTML (alt text, caption, file name)."""

import re

from ratings_site.datasets.captchas import ensure_captcha_images
from tests.conftest import DEMO_KEY


def test_the_rate_page_does_not_leak_the_captcha_answer(login, settings):
    settings.CAPTCHA_RATE = 1.0
    ensure_captcha_images(variants=1)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    assert 'data-image-id="' in html
    image_tag = re.search(r"<img [^>]*data-testid=\"image\"[^>]*>", html).group(0)
    assert "captchas/" in image_tag  # it is a captcha that was served
    assert "rate this image a" not in html.lower()
    assert not re.search(r"captcha-\d", html)
