"""The best-of page of a dataset: 2 to 4 images of one prompt, pick the best. Thin: the rules are in
bestof.services and bestof.selectors.

Like the rating pages, the same views serve htmx (the card alone is swapped in, the status line out of band) and
plain forms (POST, then redirect), so the page works without JavaScript too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ratings_site.bestof import services
from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.selectors import GROUPS_LEFT_CAP, GroupToPick, group_to_pick, groups_left_for, next_groups_for
from ratings_site.datasets.models import Dataset
from ratings_site.embed.events import announce
from ratings_site.ratings.limits import RatingPaused, RatingRefused
from ratings_site.ratings.views import WEB_CLIENT_AGENT, _pause_context


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
    prefer: int | None = None,
    saved: services.PickOutcome | None = None,
) -> HttpResponse:
    """The best-of card: `shown` again (after an error), or the next group of the rater's queue."""
    rater = request.user
    pause = _pause_context(rater)
    upcoming = None
    if pause is None and shown is None:
        groups = next_groups_for(rater, dataset=dataset, exclude=exclude, prefer=prefer)
        shown = groups[0] if groups else None
        upcoming = groups[1] if len(groups) > 1 else None
    group = shown.group if shown and not pause else None
    context = {
        "dataset": dataset,
        "shown": shown if group else None,
        "group": group,
        "upcoming": upcoming,
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
        "groups_left_cap": GROUPS_LEFT_CAP,
        "picks_per_group": settings.BEST_PICKS_PER_GROUP,
        "saved": saved,
    }
    template = "bestof/best.html#card-response" if request.htmx else "bestof/best.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def best_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_card(request, dataset=_dataset(slug))


def _group_or_next(request: HttpRequest, dataset: Dataset, group_id: int) -> GroupToPick | HttpResponse:
    group = PromptGroup.objects.filter(pk=group_id, dataset=dataset).first()
    if group is not None:
        group.dataset = dataset
    shown = group_to_pick(group) if group is not None else None
    if shown is None or len(shown.images) < 2:
        return _render_card(
            request,
            dataset=dataset,
            notice="That group is not being rated any more. Here is another one.",
            notice_kind="warning",
            status=404,
        )
    return shown


def _after_action(
    request: HttpRequest, dataset: Dataset, group: PromptGroup, *, saved: services.PickOutcome | None = None
) -> HttpResponse:
    """What follows a stored pick or skip: the next card (htmx) or a redirect (plain form)."""
    if request.htmx:
        prefer = request.POST.get("upcoming", "")
        return _render_card(
            request, dataset=dataset, exclude=(group.pk,), prefer=int(prefer) if prefer.isdigit() else None, saved=saved
        )
    if saved:
        messages.success(request, f"Saved: {saved.text}.", extra_tags="saved")
    return redirect(reverse("rate_best", args=[dataset.slug]))


@require_POST
@login_required
def pick(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    dataset = _dataset(slug)
    shown = _group_or_next(request, dataset, group_id)
    if isinstance(shown, HttpResponse):
        return shown
    chosen = request.POST.get("winner", "")
    try:
        outcome = services.record_pick(
            rater=request.user,
            group=shown.group,
            winner=chosen,
            client_agent=request.headers.get("Client-Agent") or WEB_CLIENT_AGENT,
        )
    except services.InvalidPick as exc:
        # The same group again, with what the rater chose and what was wrong.
        return _render_card(request, dataset=dataset, shown=shown, error=exc.message, chosen=chosen, status=400)
    except RatingPaused:
        return _render_card(request, dataset=dataset, status=429)
    except RatingRefused as exc:
        return _render_card(
            request, dataset=dataset, notice=exc.message, notice_kind="warning", status=exc.status, exclude=(group_id,)
        )
    if not outcome.duplicate:  # to the app framing the page, if any: once per pick
        announce(request, image_id=outcome.winner.public_id if outcome.winner else None, reward=outcome.reward)
    return _after_action(request, dataset, shown.group, saved=outcome)


@require_POST
@login_required
def skip(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    dataset = _dataset(slug)
    shown = _group_or_next(request, dataset, group_id)
    if isinstance(shown, HttpResponse):
        return shown
    try:
        services.skip_group(rater=request.user, group=shown.group)
    except RatingPaused:
        return _render_card(request, dataset=dataset, status=429)
    except RatingRefused as exc:
        return _render_card(
            request, dataset=dataset, notice=exc.message, notice_kind="warning", status=exc.status, exclude=(group_id,)
        )
    return _after_action(request, dataset, shown.group)
