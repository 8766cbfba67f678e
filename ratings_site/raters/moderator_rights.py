"""Who is a moderator, and how a Horde moderator's rights follow the Horde.

`is_moderator` is the one answer to "may this person use the moderators' tools": the admin site (its
`has_permission`: ModeratorsAdminSite below), the moderators' part of /stats/ (figures.views: the suspect
raters), the API's moderators' calls (api.moderation_views) and the middleware that re-asks the Horde (raters.middleware) all ask it.

A Horde moderator's rights follow the Horde: the one rule for the admin (raters.middleware, on every admin and
/stats/ request) and the API's moderators' calls (api.authentication, on every call of such a key).

A rater whose rights come from the Horde's word (`follows_the_horde`) is asked about again with find_user, through
its cache of FIND_USER_CACHE_SECONDS (at most one Horde call per moderator that often). So a moderator whom the
Horde demoted loses the admin and the moderators' calls within that one bound, however long the API remembers
a key (API_KEY_CACHE_SECONDS, which ordinary raters' calls keep). While the Horde does not answer, the rights stay:
moderators are not locked out by an outage.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ratings_site.horde import client as horde
from ratings_site.raters.models import Rater
from ratings_site.raters.services import rater_from_horde_user
from ratings_site.raters.standing import is_banned


def is_moderator(user: object) -> bool:
    """Whether `user` may use the moderators' tools: a signed-in, active, unbanned account that is staff here, as
    the login makes a Horde moderator (and unmakes one the Horde demoted) or a local administrator made it; a
    superuser too. The anonymous Horde account never is, whatever its flags."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, Rater):
        return False
    if user.is_horde_anonymous or is_banned(user):
        return False
    return user.is_staff or user.is_superuser


class ModeratorsAdminSite(admin.AdminSite):
    """The admin, for moderators only (Django's own site asks `is_staff` alone, and lets a banned account in)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Pages of the site that are no model's, added by the apps above (moderation.admin_images: the reports
        # queue), so that this module imports none of them.
        self.extra_urls: list = []

    def has_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user)

    def get_urls(self) -> list:
        return [*self.extra_urls, *super().get_urls()]


def follows_the_horde(rater: Rater) -> bool:
    """Staff because the Horde calls them a moderator (a local superuser's rights are this site's own)."""
    return rater.moderator and rater.horde_id is not None and not rater.is_superuser


def horde_still_says_moderator(*, rater: Rater, apikey: str) -> bool | None:
    """Whether find_user (cached) still calls the rater of `apikey` a moderator: True; False when it no longer does
    (the rater loses the moderators' group and staff here and now), or no longer knows the key as theirs; None
    when the Horde is not answering."""
    try:
        answer = horde.find_user(apikey)
    except horde.HordeUnavailable:
        return None
    except horde.HordeError:
        return False
    if answer.id != rater.horde_id:
        return False
    if answer.moderator:
        return True
    rater_from_horde_user(user=answer)  # takes the moderators' group and staff away
    return False
