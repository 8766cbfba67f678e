"""The rater's generation sets: the list (/generations/) and one set's page, where its owner rates it.

Thin: the rules live in `rules.py` (the best-of rule) and `services.py` (record; the worker's task forwards it to
the Horde's `generate/rate`, never the request: the page answers at once and polls, `?poll=1`, while it is sent). A set
the site does not know yet is asked of the Horde's `generate/status` (through `status.py`: cached, throttled per
rater) and recorded with no owner: opening a page claims nothing. Whose set it is, the Horde says (its forward of
the rated set, `intake.py`); until then any rater who knows the request id may see it and try to rate it.
The page works without JavaScript: plain radio buttons, a first submit that shows what will be sent (the
review) and a second that saves; `static/js/generations.js` adds the keyboard and a live summary.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ratings_site.generations import services
from ratings_site.generations.models import GenerationImage, GenerationSet
from ratings_site.generations.rules import (
    NO_CLEAR_BEST,
    SINGLE_RATING_BEST_FROM,
    SetRatingRefused,
    ValidSetRating,
    validate_set_rating,
)
from ratings_site.generations.status import StatusLookupsThrottled, status_for
from ratings_site.horde.client import HordeTimeout, HordeUnavailable, RequestNotFound
from ratings_site.ratings import scales
from ratings_site.ratings.limits import RatingRefused
from ratings_site.ratings.signals import announce

WEB_CLIENT_AGENT = "HordeRatings-web:1.0"
SETS_PER_PAGE = 50


def _canonical_request_id(value: str | None) -> str | None:
    """The request id as the Horde writes it (a lower-case UUID), or None when it is not one."""
    try:
        return str(uuid.UUID((value or "").strip()))
    except ValueError:
        return None


@require_http_methods(["GET"])
@login_required
def generation_list(request: HttpRequest) -> HttpResponse:
    """The rater's sets, newest first, 50 a page; `?request_id=` opens a set by its id."""
    error = ""
    entered = request.GET.get("request_id")
    if entered is not None:
        request_id = _canonical_request_id(entered)
        if request_id:
            return redirect("generation_set", request_id=request_id)
        error = (
            "That is not a Horde request id. A request id looks like 0f3c6e2a-9b1d-4c7e-8a55-2d4b6f8e1a90: "
            "your client shows it for each set it generated."
        )
    sets = (
        GenerationSet.objects.filter(rater=request.user)
        .order_by("-created_at", "-id")
        .prefetch_related("images")
    )
    page = Paginator(sets, SETS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "error": error, "entered": entered or ""}
    return render(request, "generations/list.html", context, status=400 if error else 200)


@dataclass
class ImageRow:
    """One image of the set on the page, with what the rater chose (kept across a refusal or the review)."""

    image: GenerationImage
    number: int
    rating: str = ""
    artifacts: str = ""

    @property
    def rateable(self) -> bool:
        return self.image.state == GenerationImage.State.OK

    @property
    def src(self) -> str:
        return self.image.file.url if self.image.file else self.image.url


def _choices_from_body(body: dict) -> tuple[dict[str, tuple[str, str]], str]:
    ratings = {
        str(entry.get("id")): (str(entry.get("rating", "")), "" if entry.get("artifacts") is None else str(entry["artifacts"]))
        for entry in body.get("ratings") or []
        if isinstance(entry, dict)
    }
    return ratings, str(body.get("best") or "")


def _choices_from_form(request: HttpRequest, images: list[GenerationImage]) -> tuple[dict[str, tuple[str, str]], str]:
    chosen = {}
    for image in images:
        rating = request.POST.get(f"rating-{image.generation_id}", "").strip()
        artifacts = request.POST.get(f"artifacts-{image.generation_id}", "").strip()
        if rating or artifacts:
            chosen[image.generation_id] = (rating, artifacts)
    return chosen, request.POST.get("best", "").strip()


def _ratings_from_choices(chosen: dict[str, tuple[str, str]], rows: list[ImageRow]) -> list[dict]:
    ratings = []
    for row in rows:
        rating, artifacts = chosen.get(row.image.generation_id, ("", ""))
        if not rating and artifacts:
            raise SetRatingRefused(
                f"Image {row.number}: you chose its artifacts but not its rating. Rate it 1 to 10 too, or clear it."
            )
        if rating:
            ratings.append({"id": row.image.generation_id, "rating": rating, "artifacts": artifacts or None})
    return ratings


def _best_reason(valid: ValidSetRating) -> str:
    """Why the best is the best, for people."""
    if valid.best_none:
        return "You said no image is clearly better."
    if valid.best is None:
        if len(valid.ratings) == 1 and len(valid.image_ids) > 1:
            return f"No best: a single rating counts as the best only from {SINGLE_RATING_BEST_FROM} up."
        if valid.ratings and len(valid.image_ids) > 1:
            return "No best: no single image holds the top rating. Pick one of the top-rated ones to say which."
        return "No best."
    if valid.best_picked:
        return "Your pick."
    if len(valid.ratings) == 1:
        return f"The only image you rated, rated {SINGLE_RATING_BEST_FROM} or more, counts as the best."
    return "It holds the top rating alone, so it counts as the best."


def _review_lines(valid: ValidSetRating, rows: list[ImageRow]) -> list[str]:
    by_id = {r.id: r for r in valid.ratings}
    lines = []
    for row in rows:
        if not row.rateable:
            continue
        rated = by_id.get(row.image.generation_id)
        text = scales.describe_score(rated.rating, rated.artifacts) if rated else "not rated"
        lines.append(f"Image {row.number}: {text}")
    return lines


def _stored_result(generation_set: GenerationSet, rows: list[ImageRow]) -> tuple[ValidSetRating | None, str]:
    """The set's stored rating as the rule reads it (for the best's reason), from its rows."""
    if not generation_set.is_rated:
        return None, ""
    ratings = [
        {"id": row.image.generation_id, "rating": row.image.rating.rating, "artifacts": row.image.rating.artifacts}
        for row in rows
        if hasattr(row.image, "rating")
    ]
    ids = [row.image.generation_id for row in rows if row.rateable]
    best = NO_CLEAR_BEST if generation_set.best_none else None
    try:
        inferred = validate_set_rating(image_ids=ids, ratings=ratings or None, best=best)
    except SetRatingRefused:
        inferred = None
    stored_best = generation_set.best.generation_id if generation_set.best_id else None
    if stored_best and generation_set.best_picked:
        return inferred, "Your pick."
    if inferred is not None and inferred.best == stored_best:
        return inferred, _best_reason(inferred)
    if stored_best:
        return inferred, "Your pick."
    return inferred, ""


def _render_set(
    request: HttpRequest,
    generation_set: GenerationSet,
    *,
    chosen: dict[str, tuple[str, str]] | None = None,
    best: str = "",
    error: str = "",
    review: ValidSetRating | None = None,
    status: int = 200,
) -> HttpResponse:
    images = list(generation_set.images.select_related("rating").order_by("position", "id"))
    if chosen is None and generation_set.submission == GenerationSet.Submission.REFUSED:
        # Refused by the Horde (now, or by the retry task): the rater's choices come back, with its words.
        chosen, best = _choices_from_body(generation_set.submission_body or {})
        error = error or generation_set.submission_error
    chosen = chosen or {}
    rows = [
        ImageRow(image=image, number=number, rating=chosen.get(image.generation_id, ("", ""))[0],
                 artifacts=chosen.get(image.generation_id, ("", ""))[1])
        for number, image in enumerate([i for i in images if not i.faulted], start=1)
    ]
    faulted = [image for image in images if image.faulted]
    stored, stored_reason = _stored_result(generation_set, rows)
    best_number = next((row.number for row in rows if generation_set.best_id == row.image.pk), None)
    review_best = next((row.number for row in rows if review and review.best == row.image.generation_id), None)
    context = {
        "generation_set": generation_set,
        "rows": rows,
        "rateable_count": sum(1 for row in rows if row.rateable),
        "faulted": faulted,
        "is_owner": generation_set.rater_id in (None, request.user.pk),
        "show_form": not generation_set.is_rated,
        "sending": generation_set.is_sending,
        "best": best,
        "error": error,
        "review": review,
        "review_lines": _review_lines(review, rows) if review else [],
        "review_best": review_best,
        "review_reason": _best_reason(review) if review else "",
        "stored": stored,
        "best_number": best_number,
        "best_reason": stored_reason,
        "rating_choices": list(scales.RATING_LABELS.items()),
        "artifacts_choices": [(k, scales.ARTIFACTS_SHORT[k], v) for k, v in scales.ARTIFACTS_LABELS.items()],
        "single_best_from": SINGLE_RATING_BEST_FROM,
    }
    return render(request, "generations/set.html", context, status=status)


def _unknown_set_page(request: HttpRequest, request_id: str) -> HttpResponse | GenerationSet:
    """Ask the Horde about a set we do not know; record it, or say plainly why not."""
    context = {"request_id": request_id}
    try:
        status = status_for(request_id, rater=request.user)
    except StatusLookupsThrottled as exc:
        context |= {"reason": "throttled", "retry_after": exc.retry_after}
        response = render(request, "generations/unavailable.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except RequestNotFound:
        return render(request, "generations/unavailable.html", context | {"reason": "gone"}, status=404)
    except HordeTimeout:
        return render(request, "generations/unavailable.html", context | {"reason": "slow"}, status=503)
    except HordeUnavailable:
        return render(request, "generations/unavailable.html", context | {"reason": "down"}, status=503)
    if not status.done:
        context |= {"reason": "generating", "finished": status.finished,
                    "total": status.finished + status.processing + status.waiting}
        return render(request, "generations/unavailable.html", context, status=200)
    if not any(g.state != GenerationImage.State.FAULTED for g in status.generations):
        return render(request, "generations/unavailable.html", context | {"reason": "faulted"}, status=200)
    return services.record_set_from_status(status=status)


@require_http_methods(["GET", "POST"])
@login_required
def generation_set(request: HttpRequest, request_id: str) -> HttpResponse:
    canonical = _canonical_request_id(request_id)
    if canonical is None:
        return render(request, "generations/unavailable.html", {"request_id": request_id, "reason": "malformed"},
                      status=404)
    if canonical != request_id:
        return redirect("generation_set", request_id=canonical)
    found = GenerationSet.objects.filter(request_id=canonical).first()
    if found is None:
        if request.method == "POST":  # a form for a set we never showed: show it first
            return redirect("generation_set", request_id=canonical)
        found = _unknown_set_page(request, canonical)
        if isinstance(found, HttpResponse):
            return found
    if request.method == "GET" and request.GET.get("poll"):
        return _poll(request, found)
    if found.rater_id is not None and found.rater_id != request.user.pk:
        context = {"request_id": canonical}
        if found.submission == GenerationSet.Submission.NOT_OWNER:
            # The worker's send found the Horde naming another owner: the rater who sent it learns why here.
            context["message"] = found.submission_error
        return render(request, "generations/not_yours.html", context, status=403)
    if request.method == "GET":
        return _render_set(request, found)
    return _submit(request, found)


def _poll(request: HttpRequest, generation_set: GenerationSet) -> HttpResponse:
    """The set page's htmx poll while its rating is sent (`?poll=1`): nothing (204) while it still is, then a
    reload of the page (HX-Refresh), which shows what the Horde answered. One query, no Horde call. In a frame,
    the app around it hears of the set then (the reward, when the Horde paid its owner: this rater)."""
    if generation_set.is_sending:
        return HttpResponse(status=204)
    if generation_set.rater_id == request.user.pk and generation_set.submission in (
        GenerationSet.Submission.SENT, GenerationSet.Submission.PENDING
    ):
        announce(request, request_id=generation_set.request_id, reward=generation_set.horde_reward or 0)
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response


def _submit(request: HttpRequest, generation_set: GenerationSet) -> HttpResponse:
    """The form's POST: without `confirmed`, the review of what will be sent; with it, the submission."""
    images = list(generation_set.images.order_by("position", "id"))
    chosen, best = _choices_from_form(request, images)
    rows = [ImageRow(image=image, number=n) for n, image in enumerate([i for i in images if not i.faulted], start=1)]
    keep = {"chosen": chosen, "best": best}
    if generation_set.is_rated:
        messages.info(request, "This set is rated already; nothing was sent again.")
        return redirect("generation_set", request_id=generation_set.request_id)
    try:
        ratings = _ratings_from_choices(chosen, rows)
        best_value = best or None
        if request.POST.get("edit"):  # "Change" on the review: the form again, with the choices
            return _render_set(request, generation_set, **keep)
        if request.POST.get("confirmed") != "1":
            valid = services.validate_rating_of(generation_set, ratings=ratings or None, best=best_value)
            return _render_set(request, generation_set, review=valid, **keep)
        outcome = services.submit_set_rating(
            rater=request.user,
            generation_set=generation_set,
            ratings=ratings or None,
            best=best_value,
            client_agent=request.headers.get("Client-Agent") or WEB_CLIENT_AGENT,
        )
    except services.SetAlreadyRated as exc:
        messages.info(request, exc.message)
        return redirect("generation_set", request_id=generation_set.request_id)
    except (SetRatingRefused, RatingRefused) as exc:
        return _render_set(request, generation_set, error=exc.message, status=exc.status, **keep)
    # Recorded and handed to the worker (`tasks.send_pending_set`): the page never waits on the Horde. Its
    # answer (sent and paid, refused, or not the rater's set) shows on the set's page, which polls while sending.
    messages.success(
        request, "Saved; sending to the Horde… This page shows what it answers; nothing is lost.", extra_tags="saved"
    )
    if getattr(request, "embed", False):
        # In a frame the answer is the page itself, not a redirect: a browser that blocks the frame's cookie
        # follows a redirect without the session. The app around it hears of the set once the Horde answered.
        return _render_set(request, outcome.generation_set)
    return redirect(reverse("generation_set", args=[generation_set.request_id]))
