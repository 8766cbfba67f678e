"""What moderators do, each act recorded (`ModerationAction`) and undone exactly by its reverse (`undo`).

The acts: ban and unban a rater; invalidate ratings (one, or all of a rater's in a span) and restore them; hide,
unhide, mark NSFW and unmark an image; tag an image; resolve an image's open reports. The admin, the reports
queue and the image and rater pages call these functions; nothing else changes what they change.

Effects, and how they are undone:
- a ban sets the rater's local ban (raters.standing: they cannot log in or rate and are told the reason), their
  ratings stop counting (ratings.counting recounts the images, which return to the queue if they want ratings
  again), and their unpaid kudos lines are cancelled; unbanning (the ban's undo) reverses all three;
- invalidated ratings stop counting toward their images (the images return to the queue), leave the export and
  training (they read `Rating.counts`), and their unpaid kudos lines are cancelled; restoring reverses it for
  exactly those ratings and lines;
- hiding or NSFW-marking an image takes it out of the queue (and hiding out of the export); tagging NSFW marks
  it NSFW too; these acts from the reports queue also resolve the image's open reports. Their undo restores the
  flags they changed and reopens the reports they resolved.
An act records the rows it changed in `subject_ids`, so its undo touches those rows only.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.datasets.services import set_flags
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import cancel_unpaid, reinstate
from ratings_site.moderation.models import ImageTag, ModerationAction
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import is_banned, lift_ban, set_ban
from ratings_site.ratings.counting import set_invalidated
from ratings_site.ratings.models import OPEN_REPORT, Rating, Skip
from ratings_site.refusals import Refusal

Kind = ModerationAction.Kind
REASON_MAX = ModerationAction._meta.get_field("reason").max_length

# Who may do (and undo) an act: acts on raters and their ratings, or acts on images and their reports.
ACT_ON_RATERS = "moderation.act_on_raters"
ACT_ON_IMAGES = "moderation.act_on_images"
_ON_RATERS = {Kind.BAN, Kind.UNBAN, Kind.INVALIDATE, Kind.RESTORE}


def permission_for(act: ModerationAction) -> str:
    """The permission an act of this kind, and its undo, needs."""
    return ACT_ON_RATERS if act.kind in _ON_RATERS else ACT_ON_IMAGES


class ActionRefused(Refusal):
    """An act that cannot be done as asked (already done, nothing to undo, a missing reason)."""

    code = "moderation_refused"
    status = 400


def _record(actor: Rater | None, kind: str, *, reason: str = "", undoes: ModerationAction | None = None, **fields):
    return ModerationAction.objects.create(actor=actor, kind=kind, reason=reason[:REASON_MAX], undoes=undoes, **fields)


# Raters


@transaction.atomic
def ban(*, actor: Rater | None, rater: Rater, reason: str) -> ModerationAction:
    """Ban the rater, with a reason they are shown at login and when they try to rate."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Give a reason: the rater is shown it.")
    rater = Rater.objects.select_for_update().get(pk=rater.pk)
    if is_banned(rater):
        raise ActionRefused(f"{rater} is already banned.")
    set_ban(rater, reason[:REASON_MAX])
    lines = cancel_unpaid(KudosReward.objects.filter(rater=rater))
    return _record(actor, Kind.BAN, reason=reason, rater=rater, subject_ids={"kudos_lines": lines})


def unban(*, actor: Rater | None, rater: Rater, reason: str = "") -> ModerationAction:
    """Lift the rater's ban: the undo of the act that banned them."""
    banned = ModerationAction.objects.filter(rater=rater, kind=Kind.BAN, undone_by__isnull=True).first()
    if banned is None:
        raise ActionRefused(f"{rater} is not banned by a moderator here.")
    return undo(actor=actor, action=banned, reason=reason)


def _unban(actor, ban_act: ModerationAction, reason: str) -> ModerationAction:
    rater = Rater.objects.select_for_update().get(pk=ban_act.rater_id)
    lift_ban(rater)
    lines = reinstate(ban_act.subject_ids.get("kudos_lines", []))
    return _record(actor, Kind.UNBAN, reason=reason, undoes=ban_act, rater=rater, subject_ids={"kudos_lines": lines})


# Ratings


def invalidate_rating(*, actor: Rater | None, rating: Rating, reason: str) -> ModerationAction:
    return _invalidate(
        actor, Rating.objects.filter(pk=rating.pk), reason=reason, rater=rating.rater, image=rating.image
    )


def invalidate_span(
    *, actor: Rater | None, rater: Rater, start: datetime | None, end: datetime | None, reason: str
) -> ModerationAction:
    """Invalidate every rating the rater made from `start` to `end` (either open: from the first, to now)."""
    if start and end and start > end:
        raise ActionRefused("The span ends before it starts.")
    ratings = Rating.objects.filter(rater=rater)
    if start:
        ratings = ratings.filter(created_at__gte=start)
    if end:
        ratings = ratings.filter(created_at__lte=end)
    return _invalidate(actor, ratings, reason=reason, rater=rater, span_start=start, span_end=end)


@transaction.atomic
def _invalidate(actor, ratings: QuerySet[Rating], *, reason: str, **about) -> ModerationAction:
    reason = reason.strip()
    if not reason:
        raise ActionRefused("Give a reason: it stays with the invalidated ratings.")
    changed = set_invalidated(ratings.values_list("pk", flat=True), True)
    if not changed:
        raise ActionRefused("No ratings to invalidate: they are already invalidated, or there are none.")
    lines = cancel_unpaid(KudosReward.objects.filter(rating_id__in=changed))
    return _record(
        actor, Kind.INVALIDATE, reason=reason, subject_ids={"ratings": changed, "kudos_lines": lines}, **about
    )


def _restore(actor, act: ModerationAction, reason: str) -> ModerationAction:
    restored = set_invalidated(act.subject_ids.get("ratings", []), False)
    lines = reinstate(act.subject_ids.get("kudos_lines", []))
    return _record(
        actor,
        Kind.RESTORE,
        reason=reason,
        undoes=act,
        rater=act.rater,
        image=act.image,
        subject_ids={"ratings": restored, "kudos_lines": lines},
    )


# Images

_FLAG_OF = {
    Kind.HIDE: ("hidden", True),
    Kind.UNHIDE: ("hidden", False),
    Kind.MARK_NSFW: ("nsfw", True),
    Kind.UNMARK_NSFW: ("nsfw", False),
}


def hide_image(*, actor, image: Image, reason: str = "", resolve_reports: bool = False) -> ModerationAction:
    return _flag(actor, image, Kind.HIDE, reason=reason, resolve_reports=resolve_reports)


def unhide_image(*, actor, image: Image, reason: str = "") -> ModerationAction:
    return _flag(actor, image, Kind.UNHIDE, reason=reason)


def mark_nsfw(*, actor, image: Image, reason: str = "", resolve_reports: bool = False) -> ModerationAction:
    return _flag(actor, image, Kind.MARK_NSFW, reason=reason, resolve_reports=resolve_reports)


def unmark_nsfw(*, actor, image: Image, reason: str = "") -> ModerationAction:
    return _flag(actor, image, Kind.UNMARK_NSFW, reason=reason)


@transaction.atomic
def _flag(actor, image: Image, kind: str, *, reason: str, resolve_reports: bool = False) -> ModerationAction:
    flag, value = _FLAG_OF[kind]
    image = Image.objects.select_for_update().get(pk=image.pk)
    if getattr(image, flag) == value:
        state = {"hidden": "hidden", "nsfw": "marked NSFW"}[flag]
        raise ActionRefused(f"This image is {'already' if value else 'not'} {state}.")
    set_flags(Image.objects.filter(pk=image.pk), **{flag: value})
    reports = _resolve_open_reports(image) if resolve_reports else []
    return _record(actor, kind, reason=reason, image=image, subject_ids={"reports": reports})


@transaction.atomic
def tag_image(*, actor, image: Image, tag: str, resolve_reports: bool = False) -> ModerationAction:
    """Tag the image (ImageTag.Tag); the NSFW tag marks it NSFW too (out of the queue)."""
    if tag not in ImageTag.Tag.values:
        raise ActionRefused(f"Unknown tag {tag!r}: choose one of {', '.join(ImageTag.Tag.values)}.")
    made, created = ImageTag.objects.get_or_create(image=image, tag=tag, defaults={"tagged_by": actor})
    if not created:
        raise ActionRefused(f"This image is already tagged {made.get_tag_display()}.")
    flags = {}
    if tag == ImageTag.Tag.NSFW and not Image.objects.filter(pk=image.pk, nsfw=True).exists():
        set_flags(Image.objects.filter(pk=image.pk), nsfw=True)
        flags["nsfw"] = True
    reports = _resolve_open_reports(image) if resolve_reports else []
    return _record(
        actor, Kind.TAG, reason=tag, image=image, subject_ids={"tags": [made.pk], "reports": reports, "flags": flags}
    )


def _untag(actor, act: ModerationAction, reason: str) -> ModerationAction:
    ImageTag.objects.filter(pk__in=act.subject_ids.get("tags", [])).delete()
    flags = act.subject_ids.get("flags", {})
    if flags:
        set_flags(Image.objects.filter(pk=act.image_id), **{flag: not value for flag, value in flags.items()})
    reopened = _reopen(act.subject_ids.get("reports", []))
    return _record(actor, Kind.UNTAG, reason=reason, undoes=act, image=act.image, subject_ids={"reports": reopened})


# Reports


@transaction.atomic
def resolve_reports(*, actor, image: Image, reason: str = "") -> ModerationAction:
    """Dismiss the image's open reports (nothing to do about the image itself)."""
    resolved = _resolve_open_reports(image)
    if not resolved:
        raise ActionRefused("This image has no open reports.")
    return _record(actor, Kind.RESOLVE_REPORTS, reason=reason, image=image, subject_ids={"reports": resolved})


def _resolve_open_reports(image: Image) -> list[int]:
    open_reports = Skip.objects.filter(OPEN_REPORT, image=image)
    ids = list(open_reports.values_list("pk", flat=True))
    Skip.objects.filter(pk__in=ids).update(resolved_at=timezone.now())
    return ids


def _reopen(report_ids: list[int]) -> list[int]:
    reports = Skip.objects.filter(pk__in=report_ids, resolved_at__isnull=False)
    ids = list(reports.values_list("pk", flat=True))
    Skip.objects.filter(pk__in=ids).update(resolved_at=None)
    return ids


# Undo

_UNFLAG = {
    Kind.HIDE: Kind.UNHIDE,
    Kind.UNHIDE: Kind.HIDE,
    Kind.MARK_NSFW: Kind.UNMARK_NSFW,
    Kind.UNMARK_NSFW: Kind.MARK_NSFW,
}


def _unflag(actor, act: ModerationAction, reason: str) -> ModerationAction:
    flag, value = _FLAG_OF[act.kind]
    set_flags(Image.objects.filter(pk=act.image_id), **{flag: not value})
    reopened = _reopen(act.subject_ids.get("reports", []))
    return _record(
        actor, _UNFLAG[act.kind], reason=reason, undoes=act, image=act.image, subject_ids={"reports": reopened}
    )


def _reopen_act(actor, act: ModerationAction, reason: str) -> ModerationAction:
    reopened = _reopen(act.subject_ids.get("reports", []))
    return _record(
        actor, Kind.REOPEN_REPORTS, reason=reason, undoes=act, image=act.image, subject_ids={"reports": reopened}
    )


_REVERSE = {
    Kind.BAN: _unban,
    Kind.INVALIDATE: _restore,
    Kind.HIDE: _unflag,
    Kind.UNHIDE: _unflag,
    Kind.MARK_NSFW: _unflag,
    Kind.UNMARK_NSFW: _unflag,
    Kind.TAG: _untag,
    Kind.RESOLVE_REPORTS: _reopen_act,
}


def can_undo(act: ModerationAction) -> bool:
    """An act can be undone once, unless it is itself an undo (act again instead)."""
    return act.kind in _REVERSE and act.undoes_id is None and not hasattr(act, "undone_by")


@transaction.atomic
def undo(*, actor: Rater | None, action: ModerationAction, reason: str = "") -> ModerationAction:
    """Reverse the act exactly: the rows it changed come back, the counters with them."""
    act = ModerationAction.objects.select_for_update().get(pk=action.pk)
    if act.kind not in _REVERSE or act.undoes_id is not None:
        raise ActionRefused(f"“{act.get_kind_display()}” undoes another act; act again instead of undoing it.")
    if ModerationAction.objects.filter(undoes=act).exists():
        raise ActionRefused("This act was already undone.")
    return _REVERSE[act.kind](actor, act, reason)
