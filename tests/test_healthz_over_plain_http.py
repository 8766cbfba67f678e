"""With SECURE_SSL_REDIRECT on, /healthz still answers over plain HTTP (load balancers check it so); pages redirect."""

from django.test import Client


def test_healthz_answers_over_plain_http_when_https_is_enforced(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client builds its middleware from the settings now

    health = client.get("/healthz")
    page = client.get("/login/")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert page.status_code == 301 and page["Location"].startswith("https://")


def test_hsts_is_sent_over_https_when_switched_on(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = Client().get("/healthz", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
