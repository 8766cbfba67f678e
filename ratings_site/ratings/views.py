"""The rating pages. Thin: the rules are in ratings.services and ratings.selectors.

The same views serve htmx (the card alone is swapped in, with the header's counters
and the status line updated out of band) and plain forms (POST, then redirect), so
the page works without JavaScript too.
"""

from __future__ import annotations

import math
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ratings_site.compiled_queries import OneRowQuery
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from ratings_site.ratings import cards, scales, services, tags
from ratings_site.ratings.models import Skip
from ratings_site.ratings.selectors import (
    IMAGES_LEFT_CAP,
    dataset_shown_for,
    has_undoable_rating,
    images_left_for,
    next_images_for,
)
from ratings_site.ratings.signals import announce
from ratings_site.refusals import Refusal

WEB_CLIENT_AGENT = "HordeRatings-web:1.0"


@dataclass(frozen=True)
class Saved:
    """What the rater just saved, as the status line shows it ("Saved: 7 · Good · Tiny flaws · +5 kudos"). A passed
    check image is saved as any rating is: nothing here tells it apart."""

    rating: int
    artifacts: int | None
    reward: int
    tags: tuple[str, ...] = ()  # the tags stored with it, in the vocabulary's order

    @classmethod
    def of(cls, outcome: services.RatingOutcome, tags: list[str] | None = None) -> Saved:
        return cls(rating=outcome.rating, artifacts=outcome.artifacts, reward=outcome.reward, tags=tuple(tags or ()))

    @property
    def text(self) -> str:
        parts = [f"{self.rating} · {scales.RATING_LABELS[self.rating]}"]
        if self.artifacts is not None:
            parts.append(f"artifacts {self.artifacts} · {scales.ARTIFACTS_SHORT[self.artifacts]}")
        if self.tags:
            parts.append("tagged " + ", ".join(tags.LABELS[tag] for tag in self.tags))
        if self.reward:
            parts.append(f"+{self.reward} kudos")
        return " · ".join(parts)


def _dataset_from(slug: str | None) -> Dataset | None:
    if not slug:
        return None
    return get_object_or_404(Dataset, slug=slug, public=True)


def _rate_url(dataset: Dataset | None) -> str:
    return reverse("rate_dataset", args=[dataset.slug]) if dataset else reverse("rate")


def _pause_context(rater: Rater) -> dict | None:
    pause = rater.active_pause()
    if pause is None:
        return None
    until, reason = pause
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return {
        "until": until,
        "message": services.paused_message(reason, until),
        "seconds": seconds,
        "until_ms": int(until.timestamp() * 1000),
    }


# What the card's fixed parts show: the scales, the tags' vocabulary and the report reasons (`_card_part`). The scores
# are strings, as the form posts them back and as `entered` holds them.
_CHOICES = {
    "rating_choices": tuple((str(k), v) for k, v in scales.RATING_LABELS.items()),
    "artifacts_choices": tuple((str(k), scales.ARTIFACTS_SHORT[k], v) for k, v in scales.ARTIFACTS_LABELS.items()),
    "tag_choices": tuple(tags.vocabulary()),
    "report_reasons": tuple((v, label) for v, label in Skip.Reason.choices if v != Skip.Reason.SKIPPED),
}
_blank_card_parts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _card_part(name: str, entered: dict | None = None) -> str:
    """A part of the card that shows nothing but `_CHOICES` and, for the scales, what the rater `entered` (`name`: a
    template, or a partial of ratings/rate.html). With nothing entered (most cards) it is the same for every card, so
    it is rendered once per loaded template and reused: its loops were most of a card's rendering (issue 24). So a
    part shows nothing of the request (no URL, token, user or dataset), and a template reloaded in development is a
    new template, rendered afresh."""
    template = get_template(name)
    if entered and any(entered.values()):
        return template.render({**_CHOICES, "entered": entered})
    loaded = template.template
    part = _blank_card_parts.get(loaded)
    if part is None:
        part = _blank_card_parts[loaded] = template.render({**_CHOICES, "entered": {}})
    return part


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
    saved: Saved | None = None,
    undone: str = "",
    served_at: datetime | None = None,
    just_rated: bool = False,
    images_left_before: int | None = None,
) -> HttpResponse:
    """The rating card: `image` again (after an error or an undo), or the next image of the queue.

    The card is signed (ratings.cards): its image and serve time (`served_at` when the same card is shown again
    after a refusal, so that its look time goes on; now otherwise) and the upcoming image. A check image is noted
    as served to the rater as it is shown, and, while holds are on, a dataset image shown or preloaded holds one of
    its slots for the rater (services.record_served, one statement). `just_rated`: the rater stored a rating (or a
    passed check) in this request, which they can undo: Undo is shown without asking the database.
    `images_left_before`: the images left that the answered card showed (its signed token), which spares counting
    them again while they are many (selectors.images_left_for)."""
    rater = request.user
    pause = _pause_context(rater)
    upcoming = None
    if pause is None and image is None:
        images = next_images_for(rater, dataset=dataset, prefer=prefer, exclude=exclude)
        image = images[0] if images else None
        upcoming = images[1] if len(images) > 1 else None
    elif pause is None and image is not None:
        following = next_images_for(rater, dataset=dataset, exclude=(*exclude, image.pk), count=1)
        upcoming = following[0] if following else None
    if pause is None and image is not None:
        services.record_served(rater, image, upcoming=upcoming)
    served_at = served_at or timezone.now()
    entered = entered or {}
    images_left = images_left_for(rater, dataset=dataset, last_shown=images_left_before) if image else 0
    context = {
        "dataset": dataset,
        "image": image,
        "shown_dataset": dataset_shown_for(image) if image else None,
        "upcoming": upcoming,
        "pause": pause,
        "notice": notice,
        "notice_kind": notice_kind,
        "error": error,
        "entered": entered,
        "step": "artifacts" if entered.get("rating") else "rating",
        "scales": _card_part("ratings/rate.html#scales", entered),
        "report_buttons": _card_part("ratings/rate.html#report-buttons"),
        "keys_help": _card_part("ratings/_keys.html"),
        "action_url": _rate_url(dataset),
        "rate_url": reverse("rate_image", args=[image.public_id]) if image else "",
        "skip_url": reverse("skip_image", args=[image.public_id]) if image else "",
        "undo_url": reverse("undo_last_rating"),
        "images_left": images_left,
        "images_left_cap": IMAGES_LEFT_CAP,
        "can_undo": (just_rated and settings.RATING_UNDO_MINUTES > 0) or has_undoable_rating(rater),
        "undo_minutes": settings.RATING_UNDO_MINUTES,
        "show_welcome": not rater.welcome_dismissed,
        "saved": saved,
        "undone": undone,
        "card_token": (
            cards.card_token(rater, image, served_at, images_left=images_left, dataset=dataset) if image else ""
        ),
        "upcoming_token": cards.upcoming_token(rater, upcoming),
    }
    if request.htmx:
        return render(request, "ratings/rate.html#card-response", context, status=status)
    context["datasets"] = Dataset.objects.filter(public=True)  # the full page's list of datasets
    return render(request, "ratings/rate.html", context, status=status)


@require_GET
@login_required
def rate_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    dataset = _dataset_from(slug)
    return _render_card(request, dataset=dataset, prefer=cards.upcoming_from(request.GET.get("next"), request.user))


def _after_action(
    request: HttpRequest,
    dataset: Dataset | None,
    image: Image,
    *,
    notice: str = "",
    kind: str = "info",
    saved: Saved | None = None,
    just_rated: bool = False,
) -> HttpResponse:
    """What follows a stored rating, skip or report: the next card (htmx) or a redirect (plain form)."""
    token = request.POST.get("upcoming", "")
    upcoming = cards.upcoming_from(token, request.user)
    if request.htmx:
        return _render_card(
            request,
            dataset=dataset,
            notice=notice,
            notice_kind=kind,
            prefer=upcoming,
            exclude=(image.pk,),
            saved=saved,
            just_rated=just_rated,
            images_left_before=cards.images_left_from(request.POST.get("card"), request.user, dataset),
        )
    if saved:
        messages.success(request, f"Saved: {saved.text}.", extra_tags="saved")
    if notice:
        messages.add_message(request, messages.WARNING if kind == "warning" else messages.INFO, notice)
    url = _rate_url(dataset)
    return redirect(f"{url}?{urlencode({'next': token})}" if upcoming else url)


# The image of a public id with its dataset loaded, as Image.objects.select_related("dataset") gives it: every rating,
# skip and report asks it, so its query is compiled once (ratings_site.compiled_queries).
_image_and_dataset = OneRowQuery(
    lambda public_id: Image.objects.select_related("dataset").filter(public_id=public_id)[:1],
    public_id=Image._meta.get_field("public_id"),
)


def _image_with_dataset(public_id: uuid.UUID) -> Image | None:
    return _image_and_dataset.get(public_id=public_id)


def _image_or_404(request: HttpRequest, image_id: uuid.UUID, dataset: Dataset | None) -> Image | HttpResponse:
    """The image of the id posted; an unknown id is answered with the next card. Whether a known image may be rated
    is the services' to say (services.rateable_refusal), each case in its own words."""
    image = _image_with_dataset(image_id)
    if image is None:
        return _render_card(
            request,
            dataset=dataset,
            notice="That image is not available for rating any more. Here is another one.",
            notice_kind="warning",
            status=404,
        )
    return image


def _refused_card(
    request: HttpRequest, refusal: services.RatingRefused, *, dataset: Dataset | None, image: Image, **again
) -> HttpResponse:
    """A refusal of a rating, skip or report, shown where the rater acted, with its status:
    - a pause: the card shows it (once, with a countdown) and comes back by itself when it ends;
    - what they entered was wrong, or came too soon: the same image again (its look time going on), with what they
      entered (`again`) and what was wrong;
    - anything else (the image is not being rated, has all its ratings, ...): why, above the next image."""
    if isinstance(refusal, services.RatingPaused):
        return _render_card(request, dataset=dataset, status=refusal.status)
    if isinstance(refusal, services.InvalidRating | services.TooSoon):
        return _render_card(
            request, dataset=dataset, image=image, error=refusal.message, status=refusal.status, **again
        )
    notice = {"notice": refusal.message, "notice_kind": "warning"}
    return _render_card(request, dataset=dataset, status=refusal.status, exclude=(image.pk,), **notice)


@require_POST
@login_required
def rate(request: HttpRequest, image_id: uuid.UUID) -> HttpResponse:
    dataset = _dataset_from(request.POST.get("dataset"))
    image = _image_or_404(request, image_id, dataset)
    if isinstance(image, HttpResponse):
        return image
    entered = {
        "rating": request.POST.get("rating", ""),
        "artifacts": request.POST.get("artifacts", ""),
        "tags": request.POST.getlist("tags"),
    }
    served_at = cards.served_at_from(request.POST.get("card"), request.user, image)
    if served_at is None and settings.RATING_MIN_SECONDS > 0:
        # A card from before this rule, or not this rater's, or an id of the client's choosing: the next card, as
        # for any image (showing the posted image again would let a client ask for any image, or tell a best-of
        # page's check image from the others by whether it comes back).
        notice = "That card was out of date, so nothing was saved. Here is the next image."
        return _render_card(request, dataset=dataset, notice=notice, notice_kind="warning", status=400)
    try:
        chosen_tags = tags.parse_tags(entered["tags"])  # before the rating: a refused tag saves nothing
        outcome = services.rate_image(
            rater=request.user,
            image=image,
            rating=request.POST.get("rating"),
            artifacts=request.POST.get("artifacts"),
            client_agent=request.headers.get("Client-Agent") or WEB_CLIENT_AGENT,
            served_at=served_at,
        )
    except tags.UnknownTag as exc:
        return _render_card(
            request,
            dataset=dataset,
            image=image,
            error=exc.message,
            status=exc.status,
            entered=entered,
            served_at=served_at,
        )
    except services.RatingRefused as exc:
        return _refused_card(request, exc, dataset=dataset, image=image, entered=entered, served_at=served_at)
    tags_refused = _store_tags(request.user, image, chosen_tags)
    if outcome.captcha and not outcome.captcha_passed:
        # A missed check image: its notice (or the pause it started) says what happened; nothing was "saved".
        notice = "" if outcome.paused_until else outcome.message
        return _after_action(request, dataset, image, notice=notice, kind="warning")
    if not outcome.duplicate:  # to the app framing the page, if any: once per rating
        announce(request, image_id=image.public_id, reward=outcome.reward)
    saved = Saved.of(outcome, tags=[] if tags_refused else chosen_tags)
    return _after_action(
        request, dataset, image, saved=saved, notice=tags_refused, kind="warning", just_rated=not outcome.duplicate
    )


def _store_tags(rater: Rater, image: Image, chosen: list[str]) -> str:
    """Store the tags chosen with a rating, once the rating is saved (ratings.tags; a check image's as any image's).
    No tag chosen: nothing to store, and no query (a card never shows stored tags: an undo takes
    them back with its rating). Returns why they were not stored, if they were refused (rare: the image was taken
    out of rating between the two), for the status line; "" otherwise."""
    if not chosen:
        return ""
    try:
        tags.set_tags(rater, image, chosen)
    except Refusal as exc:
        return f"Your rating was saved, but not its tags: {exc.message}"
    return ""


@require_POST
@login_required
def skip(request: HttpRequest, image_id: uuid.UUID) -> HttpResponse:
    dataset = _dataset_from(request.POST.get("dataset"))
    image = _image_or_404(request, image_id, dataset)
    if isinstance(image, HttpResponse):
        return image
    reason = request.POST.get("reason") or Skip.Reason.SKIPPED
    try:
        outcome = services.skip_image(rater=request.user, image=image, reason=reason, note=request.POST.get("note", ""))
    except services.RatingRefused as exc:
        return _refused_card(request, exc, dataset=dataset, image=image)
    if outcome.check is not None:
        # A captcha skipped or reported: a missed check, said as a wrong answer is (or by the pause it started).
        notice = "" if outcome.check.captcha_passed or outcome.check.paused_until else outcome.check.message
        return _after_action(request, dataset, image, notice=notice, kind="warning")
    notice = (
        "Thanks for the report: the image is out of your queue and moderators will look at it."
        if outcome.is_report
        else ""
    )
    return _after_action(request, dataset, image, notice=notice)


@require_POST
@login_required
def undo_last_rating(request: HttpRequest) -> HttpResponse:
    """U on the rate page: take back the rater's last rating (within RATING_UNDO_MINUTES) and show its image again,
    with what they had chosen, so they can rate it again or move on."""
    dataset = _dataset_from(request.POST.get("dataset"))
    try:
        undone = services.undo_rating(rater=request.user)
    except services.RatingRefused as exc:
        if request.htmx:
            return _render_card(request, dataset=dataset, notice=exc.message, notice_kind="warning", status=exc.status)
        messages.warning(request, exc.message)
        return redirect(_rate_url(dataset))
    # The rating's tags go with it (the card shows every image's tags unchosen again, a check image's too).
    tags.clear_tags(request.user, undone.image)
    text = Saved(rating=undone.rating, artifacts=undone.artifacts, reward=0).text
    kudos = f"; {undone.kudos_note}" if undone.kudos_note else ""
    message = f"Undone: your rating {text} was taken back{kudos}. Rate the image again, or skip it."
    if request.htmx:
        entered = {"rating": str(undone.rating), "artifacts": "" if undone.artifacts is None else str(undone.artifacts)}
        return _render_card(request, dataset=dataset, image=undone.image, entered=entered, undone=message)
    messages.info(request, message)
    return redirect(f"{_rate_url(dataset)}?{urlencode({'next': cards.upcoming_token(request.user, undone.image)})}")


@require_POST
@login_required
def dismiss_welcome(request: HttpRequest) -> HttpResponse:
    """The welcome panel's "Got it": never shown to this rater again, on any device."""
    Rater.objects.filter(pk=request.user.pk).update(welcome_dismissed=True)
    if request.htmx:
        return HttpResponse("")
    return redirect(_rate_url(_dataset_from(request.POST.get("dataset"))))
