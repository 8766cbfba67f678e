from __future__ import annotations

from django.db import transaction

from ratings_site.horde.client import HordeUser
from ratings_site.raters.models import Rater


class SharedKeyRefused(Exception):
    """Shared keys may not rate: ratings must come from the account's owner."""


@transaction.atomic
def rater_from_horde_user(user: HordeUser) -> Rater:
    """Create or update the local rater from the Horde's find_user answer."""
    if user.is_shared_key:
        raise SharedKeyRefused(user.username)
    rater, created = Rater.objects.select_for_update().get_or_create(
        horde_id=user.id,
        defaults={"username": user.username},
    )
    rater.username = user.username
    rater.trusted = user.trusted
    rater.moderator = user.moderator
    rater.flagged = user.flagged
    rater.account_age = user.account_age
    if created:
        rater.set_unusable_password()
    rater.save()
    return rater
