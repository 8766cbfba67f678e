from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only `manage.py standin_horde`; settings install it only when STANDIN_HORDE_ALLOWED is on."""

    name = "ratings_site.demo"
    label = "demo"
    verbose_name = "Development helpers"
