"""The best-of page of a dataset: 2 to 4 images of one prompt, pick the best. Thin: the rules are in
bestof.services, bestof.selectors and bestof.checks (the page's check groups).

Like the rating pages, the same views serve htmx (the card alone is swapped in, the status line out of band) and
plain forms (POST, then redirect), so the page works without JavaScript too. The card's forms carry two signed
tokens (bestof.cards): the card (its group, images and serve time: what a pick is judged against, and the start of
its look time) and the upcoming card (the one preloaded, honoured as the next).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ratings_site.bestof import cards, checks, services
from ratings_site.bestof.cards import SignedCard
from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.selectors import GroupToPick, groups_left_cap, groups_left_for
from ratings_site.datasets.models import Dataset
from ratings_site.ratings.limits import RatingPaused, RatingRefused, TooSoon
from ratings_site.ratings.signals import announce
from ratings_site.ratings.views import WEB_CLIENT_AGENT, _pause_context

OUT_OF_DATE = "This card was out of date, so nothing was saved. Here are the images again: save your pick once more."


def _dataset(slug: str) -> Dataset:
    return get_object_or_404(Dataset, slug=slug, public=True)


def _render_card(
    request: HttpRequest,
    *,
    dataset: Dataset,
    shown: GroupToPick | None = None,
    notice: str = "",
    notice_kind: str = "info",
    error: str = "",
    chosen: str = "",
    status: int = 200,
    exclude: tuple[int, ...] = (),
    upcoming: SignedCard | None = None,
    saved: services.PickOutcome | None = None,
    served_at: datetime | None = None,
) -> HttpResponse:
    """The best-of card: `shown` again (after an error), or the next card of the rater's queue (bestof.checks).

    The card is signed (bestof.cards): its group, images and serve time (`served_at` when the same card is shown
    again after a refusal, so that its look time goes on; now otherwise), and the upcoming card. A check group is
    recorded as served as it is shown (checks.serve)."""
    rater = request.user
    pause = _pause_context(rater)
    following = None
    if pause is None and shown is None:
        found = checks.next_cards_for(rater, dataset=dataset, exclude=exclude, upcoming=upcoming)
        shown = found[0] if found else None
        following = found[1] if len(found) > 1 else None
    group = shown.group if shown and not pause else None
    if group is not None:
        checks.serve(rater, shown)
    context = {
        "dataset": dataset,
        "shown": shown if group else None,
        "group": group,
        "upcoming": following,
        "pause": pause,
        "notice": notice,
        "notice_kind": notice_kind,
        "error": error,
        "chosen": chosen,
        "no_clear_winner": services.NO_CLEAR_WINNER,
        "action_url": reverse("rate_best", args=[dataset.slug]),
        "pick_url": reverse("pick_best", args=[dataset.slug, group.pk]) if group else "",
        "skip_url": reverse("skip_group", args=[dataset.slug, group.pk]) if group else "",
        "groups_left": groups_left_for(rater, dataset=dataset) if group else 0,
        "groups_left_cap": groups_left_cap(rater),
        "picks_per_group": settings.BEST_PICKS_PER_GROUP,
        "saved": saved,
        "card_token": cards.card_token(rater, shown, served_at or timezone.now()) if group else "",
        "upcoming_token": cards.upcoming_token(rater, following),
    }
    template = "bestof/best.html#card-response" if request.htmx else "bestof/best.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def best_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_card(request, dataset=_dataset(slug))


def _card_or_next(
    request: HttpRequest, dataset: Dataset, group_id: int
) -> tuple[GroupToPick, SignedCard | None] | HttpResponse:
    """The card a pick or skip answers (its signed card's images: a check group or the group), or the next card
    when the group is gone."""
    group = PromptGroup.objects.filter(pk=group_id, dataset=dataset).first()
    card = cards.card_from(request.POST.get("card"), request.user, group_id)
    if group is not None:
        group.dataset = dataset
        shown = checks.card_for(request.user, group, card)
        if len(shown.images) >= 2:
            return shown, card
    return _render_card(
        request,
        dataset=dataset,
        notice="That group is not being rated any more. Here is another one.",
        notice_kind="warning",
        status=404,
    )


def _after_action(
    request: HttpRequest,
    dataset: Dataset,
    *,
    exclude: tuple[int, ...] = (),
    saved: services.PickOutcome | None = None,
    notice: str = "",
) -> HttpResponse:
    """What follows a stored pick, skip or check answer: the next card (htmx) or a redirect (plain form)."""
    if request.htmx:
        upcoming = cards.upcoming_from(request.POST.get("upcoming"), request.user)
        card = {"exclude": exclude, "upcoming": upcoming, "saved": saved, "notice": notice, "notice_kind": "warning"}
        return _render_card(request, dataset=dataset, **card)
    if saved:
        messages.success(request, f"Saved: {saved.text}.", extra_tags="saved")
    if notice:
        messages.warning(request, notice)
    return redirect(reverse("rate_best", args=[dataset.slug]))


def _answered(
    request: HttpRequest, dataset: Dataset, shown: GroupToPick, outcome: services.PickOutcome
) -> HttpResponse:
    if outcome.missed_check:
        # A missed check: its notice (or the pause it started) says what happened; nothing was "saved".
        return _after_action(request, dataset, notice="" if outcome.paused_until else outcome.message)
    if not outcome.duplicate:  # to the app framing the page, if any: once per pick
        announce(request, image_id=outcome.winner.public_id if outcome.winner else None, reward=outcome.reward)
    # The group just picked is left out of the next answer (a lagging database); a check group's stays queued.
    return _after_action(request, dataset, exclude=() if shown.check else (shown.group.pk,), saved=outcome)


def _refused_card(
    request: HttpRequest, refusal: RatingRefused, *, dataset: Dataset, shown: GroupToPick, **again
) -> HttpResponse:
    """A refusal of a pick or a skip, shown where the rater acted, with its status:
    - a pause: the card shows it, and comes back by itself when it ends;
    - the pick was wrong, or came too soon: the same card again (its look time going on), with what the rater
      chose (`again`) and what was wrong;
    - anything else: why, above the next group (a check group's stays queued)."""
    if isinstance(refusal, RatingPaused):
        return _render_card(request, dataset=dataset, status=refusal.status)
    if isinstance(refusal, services.InvalidPick | TooSoon):
        return _render_card(
            request, dataset=dataset, shown=shown, error=refusal.message, status=refusal.status, **again
        )
    exclude = () if shown.check else (shown.group.pk,)
    return _render_card(
        request, dataset=dataset, notice=refusal.message, notice_kind="warning", status=refusal.status, exclude=exclude
    )


@require_POST
@login_required
def pick(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    dataset = _dataset(slug)
    found = _card_or_next(request, dataset, group_id)
    if isinstance(found, HttpResponse):
        return found
    shown, card = found
    chosen = request.POST.get("winner", "")
    if card is None and settings.RATING_MIN_SECONDS > 0:
        # A card from before this rule, or not this rater's: the same images again, as served now, with the choice.
        return _render_card(request, dataset=dataset, shown=shown, error=OUT_OF_DATE, chosen=chosen, status=400)
    served_at = card.served_at if card else None
    try:
        if shown.check is not None:
            outcome = checks.answer_check(rater=request.user, shown=shown, winner=chosen, served_at=served_at)
        else:
            outcome = services.record_pick(
                rater=request.user,
                group=shown.group,
                winner=chosen,
                client_agent=request.headers.get("Client-Agent") or WEB_CLIENT_AGENT,
                served_at=served_at,
            )
    except RatingRefused as exc:
        return _refused_card(request, exc, dataset=dataset, shown=shown, chosen=chosen, served_at=served_at)
    return _answered(request, dataset, shown, outcome)


@require_POST
@login_required
def skip(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    dataset = _dataset(slug)
    found = _card_or_next(request, dataset, group_id)
    if isinstance(found, HttpResponse):
        return found
    shown, _ = found
    try:
        if shown.check is not None:  # skipping a check group is missing its check
            outcome = checks.answer_check(rater=request.user, shown=shown, skipped=True)
        else:
            services.skip_group(rater=request.user, group=shown.group)
            outcome = None
    except RatingRefused as exc:
        return _refused_card(request, exc, dataset=dataset, shown=shown)
    if outcome is not None:
        return _answered(request, dataset, shown, outcome)
    return _after_action(request, dataset, exclude=(shown.group.pk,))
