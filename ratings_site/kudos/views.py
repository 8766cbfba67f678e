from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratings_site.horde import client as horde
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import ledger_totals, payments_enabled
from ratings_site.raters.keys import recall_key


@login_required
def kudos_page(request: HttpRequest) -> HttpResponse:
    rater = request.user
    balance, balance_error = None, ""
    apikey = recall_key(request)
    if apikey and rater.earns_kudos:
        try:
            balance = horde.find_user(apikey).kudos  # cached for FIND_USER_CACHE_SECONDS
        except horde.HordeUnavailable:
            balance_error = "The Horde is not answering right now, so your balance can't be shown. Try again in a minute."
        except horde.HordeRejected as exc:
            balance_error = f"The Horde refused to show your balance: {exc.message}"
    context = {
        "balance": balance,
        "balance_error": balance_error,
        "totals": ledger_totals(rater),
        "ledger": KudosReward.objects.filter(rater=rater).select_related("rating__image__dataset")[:50],
        "payments_enabled": payments_enabled(),
    }
    return render(request, "kudos/kudos.html", context)
