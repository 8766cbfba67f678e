"""`django.contrib.admin`, with the moderators' admin site (raters.moderator_rights.ModeratorsAdminSite) as
`admin.site`: INSTALLED_APPS names this config instead of Django's. Apart from the site's module because this one
is imported before the models are loaded."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class ModeratorsAdminConfig(AdminConfig):
    default_site = "ratings_site.raters.moderator_rights.ModeratorsAdminSite"
