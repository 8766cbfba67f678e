"""A Horde moderator's rights follow the Horde: the one rule for the admin (raters.middleware, on every admin and
/stats/ request) and the API's moderators' calls (api.authentication, on every call of such a key).

A rater whose rights come from the Horde's word (`follows_the_horde`) is asked about again with find_user, through
its cache of FIND_USER_CACHE_SECONDS (at most one Horde call per moderator that often). So a moderator whom the
Horde demoted loses the admin and the moderators' calls within that one bound, however long the API remembers
a key (API_KEY_CACHE_SECONDS, which ordinary raters' calls keep). While the Horde does not answer, the rights stay:
moderators are not locked out by an outage.
"""

from __future__ import annotations

from ratings_site.horde import client as horde
from ratings_site.raters.models import Rater
from ratings_site.raters.services import rater_from_horde_user


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
