from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ratings_site.horde import client as horde
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import payments_enabled
from ratings_site.kudos.services import last_payment_at, ledger_totals
from ratings_site.raters.keys import recall_key


@login_required
def kudos_page(request: HttpRequest) -> HttpResponse:
    rater = request.user
    balance, balance_as_of, balance_error = None, None, ""
    apikey = recall_key(request)
    if apikey and rater.earns_kudos:
        try:
            # Cached for FIND_USER_CACHE_SECONDS, but never from before the latest payment: a balance
            # older than a "paid" line in the ledger would read as a failed payment.
            horde_user = horde.find_user(apikey, fresh_after=last_payment_at(rater))
            balance, balance_as_of = horde_user.kudos, horde_user.fetched_at
        except horde.HordeUnavailable:
            balance_error = "The Horde is not answering right now, so your balance can't be shown. Try again in a minute."
        except horde.HordeRejected as exc:
            balance_error = f"The Horde refused to show your balance: {exc.message}"
    context = {
        "balance": balance,
        "balance_as_of": balance_as_of,
        "balance_age_seconds": int((timezone.now() - balance_as_of).total_seconds()) if balance_as_of else 0,
        "balance_cache_seconds": settings.FIND_USER_CACHE_SECONDS,
        "balance_error": balance_error,
        "totals": ledger_totals(rater, horde_apart=True),
        # Rating lines show their image's dataset; the other kinds say what they were for from their own row
        # (a generation set by its request id, `subject`), so a page of any mix costs the same queries.
        "ledger": KudosReward.objects.filter(rater=rater).select_related("rating__image__dataset", "image__dataset")[:50],
        "payments_enabled": payments_enabled(),
    }
    return render(request, "kudos/kudos.html", context)
