"""/ratings/: the rater's own ratings, newest first, with a change or delete while they may still.

Thin, like the rating pages: the rules are ratings.services.change_rating and undo_rating, and
ratings.restore for a delete and its undo. A delete asks first (a disclosure in the row, no script
needed); once done, the page says what was deleted, with an Undo that puts the very same rating
back. The forms are plain POSTs that redirect back to the same page with a message, so they work
without JavaScript, and with it; a refused change renders the page again with the message and the
refusal's status.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ratings_site.datasets.models import Image
from ratings_site.ratings import restore, scales, services
from ratings_site.ratings.models import Rating

RATINGS_PER_PAGE = 50
THUMBNAIL_BOX = 96  # pixels: a thumbnail fits in a square this big
# The rating just deleted, shown once on the next page with its Undo: {"text": what was deleted, "token": restore's}.
DELETED_SESSION_KEY = "history_deleted_rating"


def _page_number(value: object) -> int:
    """A page number from ?page= or the form: a malformed one means the first page."""
    try:
        return max(int(str(value)), 1)
    except ValueError:
        return 1


def _thumbnail_size(width: int | None, height: int | None) -> tuple[int, int]:
    if not width or not height:
        return THUMBNAIL_BOX, THUMBNAIL_BOX
    scale = THUMBNAIL_BOX / max(width, height)
    return max(round(width * scale), 1), max(round(height * scale), 1)


def _history_page(request: HttpRequest, number: int) -> Page:
    ratings = (
        Rating.objects.filter(rater=request.user)
        .select_related("image__dataset", "reward")
        .order_by("-created_at", "-id")
    )
    # get_page: past the last page (e.g. after deleting its last rating) shows the last page.
    page = Paginator(ratings, RATINGS_PER_PAGE).get_page(number)
    now = timezone.now()
    for rating in page:
        image = rating.image
        rating.changeable = services.is_changeable(rating, now)
        rating.ago = services.saved_ago(rating.created_at, now)
        rating.thumbnail_width, rating.thumbnail_height = _thumbnail_size(image.width, image.height)
        rating.rating_label = scales.rating_label(rating.rating)
        rating.artifacts_label = "" if rating.artifacts is None else scales.artifacts_label(rating.artifacts)
        rating.reward_line = getattr(rating, "reward", None)
    return page


def _render(
    request: HttpRequest,
    number: int,
    *,
    status: int = 200,
    error_rating_id: int | None = None,
    deleted: dict | None = None,
) -> HttpResponse:
    context = {
        "page": _history_page(request, number),
        "undo_minutes": settings.RATING_UNDO_MINUTES,
        "rating_choices": [(value, scales.rating_label(value)) for value in scales.RATING_LABELS],
        "artifacts_choices": [(value, scales.artifacts_label(value)) for value in scales.ARTIFACTS_SHORT],
        "error_rating_id": error_rating_id,
        "deleted": deleted,
    }
    return render(request, "ratings/history.html", context, status=status)


def _back(number: int) -> HttpResponse:
    url = reverse("rating_history")
    return redirect(f"{url}?page={number}" if number > 1 else url)


def _refused(request: HttpRequest, number: int, rating_id: int, exc: services.RatingRefused) -> HttpResponse:
    """The same page again, nothing changed, with what was wrong."""
    messages.error(request, exc.message)
    return _render(request, number, status=exc.status, error_rating_id=rating_id)


def _what(image: Image) -> str:
    caption = " ".join(image.caption.split())
    if not caption:
        return f"an image of {image.dataset.name}"
    return f"“{caption[:60]}…”" if len(caption) > 60 else f"“{caption}”"


@require_GET
@login_required
def rating_history(request: HttpRequest) -> HttpResponse:
    deleted = request.session.pop(DELETED_SESSION_KEY, None)
    return _render(request, _page_number(request.GET.get("page", 1)), deleted=deleted)


@require_POST
@login_required
def change_rating(request: HttpRequest, rating_id: int) -> HttpResponse:
    number = _page_number(request.POST.get("page", 1))
    try:
        changed = services.change_rating(
            rater=request.user,
            rating_id=rating_id,
            rating=request.POST.get("rating"),
            artifacts=request.POST.get("artifacts"),
        )
    except services.RatingRefused as exc:
        return _refused(request, number, rating_id, exc)
    messages.success(request, f"Changed: {scales.describe_score(changed.rating, changed.artifacts)}")
    return _back(number)


@require_POST
@login_required
def delete_rating(request: HttpRequest, rating_id: int) -> HttpResponse:
    number = _page_number(request.POST.get("page", 1))
    try:
        deleted = restore.delete_rating(rater=request.user, rating_id=rating_id)
    except services.RatingRefused as exc:
        return _refused(request, number, rating_id, exc)
    undone = deleted.undone
    note = f"; {undone.kudos_note}" if undone.kudos_note else ""
    score = scales.describe_score(undone.rating, undone.artifacts)
    # Said once, on the page it leads back to, beside its Undo (not a message of the status line, which fades).
    request.session[DELETED_SESSION_KEY] = {
        "text": f"Deleted your rating of {_what(undone.image)} ({score}){note}.",
        "token": deleted.token,
    }
    return _back(number)


@require_POST
@login_required
def restore_rating(request: HttpRequest) -> HttpResponse:
    """The Undo of a delete: the deleted rating comes back as it was (ratings.restore)."""
    number = _page_number(request.POST.get("page", 1))
    try:
        restored = restore.restore_rating(rater=request.user, token=request.POST.get("deleted", ""))
    except services.RatingRefused as exc:
        messages.error(request, exc.message)
        return _render(request, number, status=exc.status)
    rating = restored.rating
    score = scales.describe_score(rating.rating, rating.artifacts)
    if restored.already:
        messages.info(request, f"Your rating of {_what(rating.image)} is in place: {score}.")
    else:
        messages.success(request, f"Undone: your rating of {_what(rating.image)} ({score}) is back.")
    return _back(number)
