"""The rater's kudos page: their ledger and their Horde balance. In the ratings app, above kudos: it describes
passed check lines as ratings (ratings.selectors), which the ledger below must not know."""

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
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer
from ratings_site.ratings.selectors import datasets_shown_for


def _describe_check_lines(rater: Rater, lines: list[KudosReward]) -> None:
    """A passed check's line reads as any rating's line: the dataset the check passes for (not the captcha pool)
    and the rating given, which is a `CaptchaAnswer` and not a `Rating` (`check_rating`; absent once the answer was
    undone, as a rating's is). Sets `shown_dataset` and `check_rating` on those lines; two queries at most."""
    checks = [line for line in lines if line.rating_id is None and line.image is not None and line.image.is_captcha]
    if not checks:
        return
    answers = dict(
        CaptchaAnswer.objects.filter(rater=rater, passed=True, image_id__in=[line.image_id for line in checks])
        .values_list("image_id", "answer")
    )
    shown = datasets_shown_for([line.image for line in checks])
    for line in checks:
        line.shown_dataset = shown[line.image_id]
        line.check_rating = answers.get(line.image_id)


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
    # Rating lines show their image's dataset; the other kinds say what they were for from their own row
    # (a generation set by its request id, `subject`), so a page of any mix costs the same queries.
    ledger = list(
        KudosReward.objects.filter(rater=rater).select_related("rating__image__dataset", "image__dataset")[:50]
    )
    _describe_check_lines(rater, ledger)
    context = {
        "balance": balance,
        "balance_as_of": balance_as_of,
        "balance_age_seconds": int((timezone.now() - balance_as_of).total_seconds()) if balance_as_of else 0,
        "balance_cache_seconds": settings.FIND_USER_CACHE_SECONDS,
        "balance_error": balance_error,
        "totals": ledger_totals(rater, horde_apart=True),
        "ledger": ledger,
        "payments_enabled": payments_enabled(),
    }
    return render(request, "kudos/kudos.html", context)
