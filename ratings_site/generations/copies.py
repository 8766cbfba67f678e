"""The images are kept: each image of a recorded set is copied into MEDIA_ROOT, because the Horde's links expire.

`schedule_copies(generation_set_id)` enqueues, once the caller's transaction commits (through the site's task
layer, `ratings_site.background`), the task `copy_generation_images` on the queue "copies" (its own worker: a slow image host never delays a payment, which
runs on "default"), which copies every image of the set that has a link and is waiting:

- fetched through the one guarded fetch (`datasets.fetch.fetch_image_bytes`: public addresses only unless
  ALLOW_PRIVATE_IMAGE_URLS, size and time limits: GENERATION_COPY_MAX_BYTES, GENERATION_COPY_TIMEOUT);
- checked to be a picture Pillow reads whole, within MAX_IMAGE_PIXELS (`datasets.pictures.open_picture`);
- stored in the default storage as `generations/<sha256[:2]>/<sha256>.<format>` (content-addressed, so a copy
  made twice is one file), with its width, height and sha256 on the image row.

A copy that fails is counted (`copy_attempts`, `copy_error`) and retried by a later run of the task, after the
site's one back-off (`background.backoff_seconds` on GENERATION_COPY_RETRY_BASE_SECONDS, at most an hour); after GENERATION_COPY_MAX_ATTEMPTS
tries, or at once when retrying cannot help, the image is marked failed with the reason. Retrying cannot help an
internal address, too many pixels, an HTML page or an SVG, a picture format we do not keep, anything Pillow cannot
identify, a redirect to a link that is not http(s), and a 4xx answer other than 408 and 429. A failure never stops
the other images of the set, nor anything else.

Two limits keep one registration from holding the copies' worker (20 links that trickle a byte a second once took
it for 400 s):
- a set's copies get GENERATION_COPY_SET_BUDGET_SECONDS of a worker's time in all, every try of every image over
  every run counted (the seconds spent so far ride along in the task's argument); each fetch gets at most what is
  left, its every read included (`fetch_image_bytes`' deadline), and once it is spent what is not copied is marked
  failed, saying so;
- a rater may have GENERATION_COPY_PENDING_PER_RATER images waiting for their copies: the images of a set
  scheduled beyond it are marked failed at once, saying why, and the set stays registered and rateable (the Horde's
  links serve it until they expire). Counted when the copies are scheduled, in the caller's transaction, so
  parallel registrations of one rater may pass it by a set or two.

An image without a link stays waiting: nothing to copy yet (a later registration or the set's page may bring
one and schedule the copies again). Faulted images (the Horde made none) are marked failed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django_tasks import task
from PIL import UnidentifiedImageError

from ratings_site.background import RETRY_AT_MOST_SECONDS, backoff_seconds, enqueue_after_commit
from ratings_site.datasets.fetch import FetchError, ImageURLError, PrivateAddressError, fetch_image_bytes
from ratings_site.datasets.pictures import TooManyPixelsError, open_picture
from ratings_site.generations.models import GenerationImage

logger = logging.getLogger(__name__)

COPY_FOLDER = "generations"  # GenerationImage.file's upload_to
# What Pillow may call a copied picture, and the file ending it is stored with.
FORMATS = {"WEBP": "webp", "PNG": "png", "JPEG": "jpg", "GIF": "gif"}
ERROR_MAX_LENGTH = 300  # GenerationImage.copy_error
QUEUE = "copies"  # settings.TASK_QUEUES: a worker of its own, so that nothing else waits behind a slow image host
# An answer the same link gives again however often it is asked: a client error other than 408 and 429.
HTTP_STATUS = re.compile(r"HTTP (\d{3})\b")
RETRIED_CLIENT_ERRORS = frozenset({408, 429})


class CopyFailed(Exception):
    """This try failed; `final` when trying again cannot help (the image is marked failed at once)."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.message = message
        self.final = final


@dataclass(frozen=True)
class CheckedCopy:
    """A checked copy: its bytes, file ending, size and content hash."""

    data: bytes
    extension: str
    width: int
    height: int
    sha256: str


def schedule_copies(generation_set_id: int) -> None:
    """Copy the set's waiting images in the background, once the caller's transaction commits, unless its rater has
    GENERATION_COPY_PENDING_PER_RATER images waiting already (then they are marked failed, saying why)."""
    if _within_the_raters_cap(generation_set_id):
        enqueue_after_commit(copy_generation_images, generation_set_id)


def _within_the_raters_cap(generation_set_id: int) -> bool:
    """Whether the set's images may wait for their copies; if not, they are marked failed, saying why."""
    to_copy = _waiting_with_a_link().filter(generation_set_id=generation_set_id)
    rater_id = (
        GenerationImage.objects.filter(generation_set_id=generation_set_id)
        .values_list("generation_set__rater_id", flat=True)
        .first()
    )
    if rater_id is not None:
        cap = settings.GENERATION_COPY_PENDING_PER_RATER
        pending = (
            _waiting_with_a_link()
            .filter(generation_set__rater_id=rater_id)
            .exclude(generation_set_id=generation_set_id)
            .count()
        )
        if pending + to_copy.count() > cap:
            refused = to_copy.update(
                copy_state=GenerationImage.CopyState.FAILED,
                copy_error=(
                    f"Not copied: its rater had {pending} images waiting for their copies already, and at most "
                    f"{cap} may wait (GENERATION_COPY_PENDING_PER_RATER)."
                )[:ERROR_MAX_LENGTH],
            )
            logger.warning(
                "Not copying the %s images of generation set %s: its rater has %s waiting already (at most %s)",
                refused,
                generation_set_id,
                pending,
                cap,
            )
            return False
    return True


def _waiting_with_a_link():
    return (
        GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.WAITING)
        .exclude(url="")
        .exclude(state=GenerationImage.State.FAULTED)
    )


def retry_delay(attempts: int) -> float:
    """Seconds before the next try of an image tried `attempts` times: the site's one back-off on
    GENERATION_COPY_RETRY_BASE_SECONDS, at most an hour."""
    return backoff_seconds(attempts, settings.GENERATION_COPY_RETRY_BASE_SECONDS, RETRY_AT_MOST_SECONDS)


@task(queue_name=QUEUE)
def copy_generation_images(generation_set_id: int, spent_seconds: float = 0) -> dict:
    """Copy every waiting image of the set that has a link, within what is left of the set's budget after the
    `spent_seconds` of its earlier runs; schedule the next try for those that failed, or give up once it is spent."""
    GenerationImage.objects.filter(
        generation_set_id=generation_set_id,
        copy_state=GenerationImage.CopyState.WAITING,
        state=GenerationImage.State.FAULTED,
    ).update(copy_state=GenerationImage.CopyState.FAILED, copy_error="The Horde made no image (faulted).")
    waiting = list(
        GenerationImage.objects.filter(generation_set_id=generation_set_id, copy_state=GenerationImage.CopyState.WAITING)
        .exclude(url="")
        .order_by("copy_attempts", "position", "id")  # the images not tried yet first, should the budget run out
    )
    budget = settings.GENERATION_COPY_SET_BUDGET_SECONDS
    started = time.monotonic()

    def budget_left() -> float:
        return budget - spent_seconds - (time.monotonic() - started)

    copied = failed = 0
    retry_attempts: list[int] = []
    for image in waiting:
        if budget_left() <= 0:
            break
        timeout = max(round(min(settings.GENERATION_COPY_TIMEOUT, budget_left()), 1), 0.1)
        state, attempts = copy_image(image, timeout=timeout)
        if state == GenerationImage.CopyState.COPIED:
            copied += 1
        elif state == GenerationImage.CopyState.FAILED:
            failed += 1
        elif state == GenerationImage.CopyState.WAITING:
            retry_attempts.append(attempts)
    if budget_left() <= 0:
        given_up = _give_up(generation_set_id, budget)
        return {"copied": copied, "failed": failed + given_up, "retrying": 0}
    if retry_attempts:
        enqueue_after_commit(
            copy_generation_images,
            generation_set_id,
            delay_seconds=retry_delay(min(retry_attempts)),
            spent_seconds=round(spent_seconds + time.monotonic() - started, 3),
        )
    return {"copied": copied, "failed": failed, "retrying": len(retry_attempts)}


def _give_up(generation_set_id: int, budget: float) -> int:
    """The set's budget is spent: mark the images still waiting failed, keeping their last error. How many."""
    given_up = 0
    with transaction.atomic():
        for image in (
            GenerationImage.objects.select_for_update()
            .filter(generation_set_id=generation_set_id, copy_state=GenerationImage.CopyState.WAITING)
            .exclude(url="")
        ):
            reason = f"Not copied within the set's budget of {budget:g} s (GENERATION_COPY_SET_BUDGET_SECONDS)"
            image.copy_error = (f"{reason}; last try: {image.copy_error}" if image.copy_error else reason)[
                :ERROR_MAX_LENGTH
            ]
            image.copy_state = GenerationImage.CopyState.FAILED
            image.save(update_fields=["copy_state", "copy_error"])
            given_up += 1
    if given_up:
        logger.info("Gave up copying %s images of generation set %s: its budget of %g s is spent", given_up,
                    generation_set_id, budget)
    return given_up


def copy_image(image: GenerationImage, *, timeout: float | None = None) -> tuple[str, int]:
    """One try at copying one image, its fetch within `timeout` seconds (GENERATION_COPY_TIMEOUT by default): its
    copy state afterwards and its attempts so far. Never raises."""
    url = image.url
    try:
        picture = _fetch_picture(url, timeout=settings.GENERATION_COPY_TIMEOUT if timeout is None else timeout)
        name = _store(picture)
    except CopyFailed as exc:
        return _count_failure(image, url, exc.message, final=exc.final)
    except Exception as exc:  # a bug or an outage here must not stop the other images, nor the worker
        logger.exception("Copying generation image %s failed unexpectedly", image.pk)
        return _count_failure(image, url, f"Unexpected error: {type(exc).__name__}", final=False)
    with transaction.atomic():
        current = GenerationImage.objects.select_for_update().get(pk=image.pk)
        if current.copy_state != GenerationImage.CopyState.WAITING or current.url != url:
            return current.copy_state, current.copy_attempts  # another run copied it, or a fresher link came
        current.file.name = name
        current.width, current.height, current.sha256 = picture.width, picture.height, picture.sha256
        current.copy_state, current.copy_error = GenerationImage.CopyState.COPIED, ""
        current.copy_attempts = F("copy_attempts") + 1
        current.save(update_fields=["file", "width", "height", "sha256", "copy_state", "copy_error", "copy_attempts"])
        current.refresh_from_db(fields=["copy_attempts"])
    return GenerationImage.CopyState.COPIED, current.copy_attempts


def _fetch_picture(url: str, *, timeout: float) -> CheckedCopy:
    try:
        data = fetch_image_bytes(url, timeout=timeout, max_bytes=settings.GENERATION_COPY_MAX_BYTES)
    except PrivateAddressError as exc:
        raise CopyFailed(str(exc), final=True) from None
    except FetchError as exc:
        raise CopyFailed(str(exc), final=_cannot_succeed(exc)) from None
    if document := _markup_document(data):
        raise CopyFailed(f"Not a picture: {document}", final=True)
    try:
        with open_picture(io.BytesIO(data)) as picture:
            kind = picture.format or ""
            width, height = picture.size
            picture.load()  # the whole picture decodes: not a truncated file
    except TooManyPixelsError as exc:
        raise CopyFailed(f"Too large: {exc}", final=True) from None
    except UnidentifiedImageError:  # no picture of a format we open: the same bytes will never be one
        raise CopyFailed("Not a picture Pillow can read (UnidentifiedImageError)", final=True) from None
    except (OSError, SyntaxError, ValueError) as exc:  # e.g. a picture cut short: the next try may get it whole
        raise CopyFailed(f"Not a picture Pillow can read ({type(exc).__name__})") from None
    if kind not in FORMATS:
        raise CopyFailed(f"Not a picture format we keep ({kind or 'unknown'})", final=True)
    return CheckedCopy(
        data=data, extension=FORMATS[kind], width=width, height=height, sha256=hashlib.sha256(data).hexdigest()
    )


def _cannot_succeed(error: FetchError) -> bool:
    """Whether the same link will fail the same way however often it is tried: the link, or a redirect's target, is
    not an http(s) URL we may fetch (`fetch_image_bytes` raises FetchError from the ImageURLError), or the host
    answered a client error other than 408 (timeout) and 429 (too many requests)."""
    if isinstance(error.__context__, ImageURLError):
        return True
    status = HTTP_STATUS.match(str(error))
    return status is not None and 400 <= int(status[1]) < 500 and int(status[1]) not in RETRIED_CLIENT_ERRORS


def _markup_document(data: bytes) -> str:
    """What a body that is markup rather than a picture is ("an HTML page", "an SVG drawing"), or "" for anything
    else. HTML is what a host answers for a login page or an error page with 200; we keep no vector drawings."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return ""
    if b"<svg" in head:
        return "an SVG drawing (we keep pictures made of pixels only)"
    if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head:
        return "an HTML page"
    return "an XML or HTML document"


def _store(picture: CheckedCopy) -> str:
    """Save the picture under its content hash (once: the same bytes are the same file); its storage name."""
    name = f"{COPY_FOLDER}/{picture.sha256[:2]}/{picture.sha256}.{picture.extension}"
    if not default_storage.exists(name):
        try:
            saved = default_storage.save(name, ContentFile(picture.data))
        except OSError as exc:
            raise CopyFailed(f"Could not store the copy ({type(exc).__name__})") from None
        if saved != name and default_storage.exists(name):  # saved in parallel by another run: keep one
            default_storage.delete(saved)
        elif saved != name:
            name = saved
    return name


def _count_failure(image: GenerationImage, url: str, message: str, *, final: bool) -> tuple[str, int]:
    """Count a failed try; mark the image failed when it was final or the last allowed. Keys never appear here:
    image links are the Horde's public links."""
    with transaction.atomic():
        current = GenerationImage.objects.select_for_update().get(pk=image.pk)
        if current.copy_state != GenerationImage.CopyState.WAITING or current.url != url:
            return current.copy_state, current.copy_attempts
        current.copy_attempts += 1
        current.copy_error = message[:ERROR_MAX_LENGTH]
        if final or current.copy_attempts >= settings.GENERATION_COPY_MAX_ATTEMPTS:
            current.copy_state = GenerationImage.CopyState.FAILED
        current.save(update_fields=["copy_attempts", "copy_error", "copy_state"])
    logger.info(
        "Copy of generation image %s failed (try %s, %s): %s",
        image.pk,
        current.copy_attempts,
        current.copy_state,
        message,
    )
    return current.copy_state, current.copy_attempts
