"""A captcha served on the rate page must not give its answer away in the HTML (alt text, caption, file name)."""

import re

from ratings_site.datasets.captchas import make_captchas
from ratings_site.datasets.models import Image
from tests.conftest import DEMO_KEY


def test_the_rate_page_does_not_leak_the_captcha_answer(login, settings):
    settings.CAPTCHA_RATE = 1.0
    make_captchas(10)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    shown = re.search(r'data-testid="image" data-image-id="([0-9a-f-]+)"', html).group(1)
    assert Image.objects.get(public_id=shown).is_captcha  # it is a captcha that was served
    assert "rate this image a" not in html.lower()
    assert "captcha" not in html.lower()
    assert not re.search(r"captcha-\d", html)
