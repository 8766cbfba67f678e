"""How a session finds its rater again after a Horde-key login.

Logging in with a key is not Django's `authenticate(username, password)`: the login views call
`raters.services.rater_for_key`, which explains every refusal, and log the rater in with this backend.
Local accounts (createsuperuser) keep Django's ModelBackend, which also answers everyone's permissions.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from ratings_site.compiled_queries import OneRowQuery
from ratings_site.raters.models import Rater

HORDE_KEY_BACKEND = "ratings_site.raters.backends.HordeKeyBackend"

# A Horde rater by id: the session's rater, read on every page request, and the rater a remembered API key stands for
# (api.authentication). Its query is compiled once (ratings_site.compiled_queries).
horde_rater = OneRowQuery(lambda pk: Rater.objects.filter(pk=pk, horde_id__isnull=False)[:1], pk=Rater._meta.pk)


class HordeKeyBackend(BaseBackend):
    def authenticate(self, request, **credentials) -> None:
        return None  # keys are checked by raters.services.rater_for_key, which says why it refuses

    def get_user(self, user_id: int) -> Rater | None:
        rater = horde_rater.get(pk=user_id)
        return rater if rater is not None and rater.is_active else None
