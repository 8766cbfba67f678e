"""The rating pages. Thin: the rules are in ratings.services and ratings.selectors.

The same views serve htmx (the card alone is swapped in, with counters updated
out of band) and plain forms (POST, then redirect), so the page works without
JavaScript too.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ratings_site.datasets.models import Dataset, Image
from ratings_site.ratings import services
from ratings_site.ratings.models import Skip
from ratings_site.ratings.selectors import next_images_for

WEB_CLIENT_AGENT = "HordeRatings-web:1.0"


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _dataset_from(slug: str | None) -> Dataset | None:
    if not slug:
        return None
    return get_object_or_404(Dataset, slug=slug, public=True)


def _rate_url(dataset: Dataset | None) -> str:
    return reverse("rate_dataset", args=[dataset.slug]) if dataset else reverse("rate")


def _render_card(
    request: HttpRequest,
    *,
    dataset: Dataset | None,
    image: Image | None = None,
    notice: str = "",
    notice_kind: str = "info",
    error: str = "",
    entered: dict | None = None,
    status: int = 200,
    prefer: uuid.UUID | None = None,
    exclude: tuple[int, ...] = (),
) -> HttpResponse:
    """The rating card: `image` again (after an error), or the next image of the queue."""
    rater = request.user
    pause = rater.active_pause()
    upcoming = None
    if pause is None and image is None:
        images = next_images_for(rater, dataset=dataset, prefer=prefer, exclude=exclude)
        image = images[0] if images else None
        upcoming = images[1] if len(images) > 1 else None
    context = {
        "dataset": dataset,
        "datasets": Dataset.objects.filter(public=True),
        "image": image,
        "upcoming": upcoming,
        "pause": pause,
        "notice": notice,
        "notice_kind": notice_kind,
        "error": error,
        "entered": entered or {},
        "rating_choices": services.RATING_LABELS.items(),
        "artifacts_choices": [(k, services.ARTIFACTS_SHORT[k], v) for k, v in services.ARTIFACTS_LABELS.items()],
        "report_reasons": [(v, label) for v, label in Skip.Reason.choices if v != Skip.Reason.SKIPPED],
        "action_url": _rate_url(dataset),
    }
    template = "ratings/rate.html#card-response" if request.htmx else "ratings/rate.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def rate_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    dataset = _dataset_from(slug)
    return _render_card(request, dataset=dataset, prefer=_parse_uuid(request.GET.get("next")))


def _after_action(request: HttpRequest, dataset: Dataset | None, image: Image, *, notice: str = "", kind: str = "info"):
    """What follows a stored rating, skip or report: the next card (htmx) or a redirect (plain form)."""
    upcoming = _parse_uuid(request.POST.get("upcoming"))
    if request.htmx:
        return _render_card(request, dataset=dataset, notice=notice, notice_kind=kind, prefer=upcoming, exclude=(image.pk,))
    if notice:
        messages.add_message(request, messages.WARNING if kind == "warning" else messages.INFO, notice)
    url = _rate_url(dataset)
    return redirect(f"{url}?next={upcoming}" if upcoming else url)


def _image_or_404(request: HttpRequest, image_id: uuid.UUID, dataset: Dataset | None) -> Image | HttpResponse:
    image = Image.objects.select_related("dataset").filter(public_id=image_id).first()
    if image is None or image.hidden or image.broken:
        return _render_card(
            request,
            dataset=dataset,
            notice="That image is not available for rating any more. Here is another one.",
            notice_kind="warning",
            status=404,
        )
    return image


@require_POST
@login_required
def rate(request: HttpRequest, image_id: uuid.UUID) -> HttpResponse:
    dataset = _dataset_from(request.POST.get("dataset"))
    image = _image_or_404(request, image_id, dataset)
    if isinstance(image, HttpResponse):
        return image
    entered = {"rating": request.POST.get("rating", ""), "artifacts": request.POST.get("artifacts", "")}
    try:
        outcome = services.rate_image(
            rater=request.user,
            image=image,
            rating=request.POST.get("rating"),
            artifacts=request.POST.get("artifacts"),
            client_agent=request.headers.get("Client-Agent") or WEB_CLIENT_AGENT,
        )
    except services.InvalidRating as exc:
        # Same image again, with what the rater entered and what was wrong.
        return _render_card(request, dataset=dataset, image=image, error=exc.message, entered=entered, status=400)
    except services.RatingRefused as exc:
        return _render_card(request, dataset=dataset, notice=exc.message, notice_kind="warning", status=exc.status, exclude=(image.pk,))
    if outcome.captcha and not outcome.captcha_passed:
        return _after_action(request, dataset, image, notice=outcome.message, kind="warning")
    return _after_action(request, dataset, image)


@require_POST
@login_required
def skip(request: HttpRequest, image_id: uuid.UUID) -> HttpResponse:
    dataset = _dataset_from(request.POST.get("dataset"))
    image = _image_or_404(request, image_id, dataset)
    if isinstance(image, HttpResponse):
        return image
    reason = request.POST.get("reason") or Skip.Reason.SKIPPED
    try:
        stored = services.skip_image(rater=request.user, image=image, reason=reason, note=request.POST.get("note", ""))
    except services.RatingRefused as exc:
        return _render_card(request, dataset=dataset, image=image, error=exc.message, status=exc.status)
    notice = "Thanks for the report: the image is out of your queue and moderators will look at it." if stored.is_report else ""
    return _after_action(request, dataset, image, notice=notice)
