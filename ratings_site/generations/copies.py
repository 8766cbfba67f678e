"""The images are kept: each image of a recorded set is copied into MEDIA_ROOT, because the Horde's links expire.

`schedule_copies(generation_set_id)` enqueues, once the caller's transaction commits, the task
`copy_generation_images`, which copies every image of the set that has a link and is waiting:

- fetched through the one guarded fetch (`datasets.fetch.fetch_image_bytes`: public addresses only unless
  ALLOW_PRIVATE_IMAGE_URLS, size and time limits: GENERATION_COPY_MAX_BYTES, GENERATION_COPY_TIMEOUT);
- checked to be a picture Pillow reads whole, within MAX_IMAGE_PIXELS (`datasets.pictures.open_picture`);
- stored in the default storage as `generations/<sha256[:2]>/<sha256>.<format>` (content-addressed, so a copy
  made twice is one file), with its width, height and sha256 on the image row.

A copy that fails is counted (`copy_attempts`, `copy_error`) and retried by a later run of the task, after a
back-off that doubles (GENERATION_COPY_RETRY_BASE_SECONDS, at most an hour); after GENERATION_COPY_MAX_ATTEMPTS
tries, or at once when retrying cannot help (an internal address, too many pixels), the image is marked failed
with the reason. A failure never stops the other images of the set, nor anything else.

An image without a link stays waiting: nothing to copy yet (a later registration or the set's page may bring
one and schedule the copies again). Faulted images (the Horde made none) are marked failed.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ratings_site.datasets.fetch import FetchError, PrivateAddressError, fetch_image_bytes
from ratings_site.datasets.pictures import TooManyPixelsError, open_picture
from ratings_site.generations.models import GenerationImage

logger = logging.getLogger(__name__)

COPY_FOLDER = "generations"  # GenerationImage.file's upload_to
RETRY_AT_MOST_SECONDS = 3600
# What Pillow may call a copied picture, and the file ending it is stored with.
FORMATS = {"WEBP": "webp", "PNG": "png", "JPEG": "jpg", "GIF": "gif"}
ERROR_MAX_LENGTH = 300  # GenerationImage.copy_error


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
    """Copy the set's waiting images in the background, once the caller's transaction commits."""
    transaction.on_commit(lambda: _enqueue(generation_set_id))


def _enqueue(generation_set_id: int, *, delay_seconds: float = 0) -> None:
    job = copy_generation_images
    if delay_seconds:
        job = job.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    job.enqueue(generation_set_id)


def retry_delay(attempts: int) -> float:
    """Seconds before the next try of an image tried `attempts` times: the base, doubled each time, at most an hour."""
    return min(settings.GENERATION_COPY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_AT_MOST_SECONDS)


@task()
def copy_generation_images(generation_set_id: int) -> dict:
    """Copy every waiting image of the set that has a link; schedule the next try for those that failed."""
    GenerationImage.objects.filter(
        generation_set_id=generation_set_id,
        copy_state=GenerationImage.CopyState.WAITING,
        state=GenerationImage.State.FAULTED,
    ).update(copy_state=GenerationImage.CopyState.FAILED, copy_error="The Horde made no image (faulted).")
    waiting = list(
        GenerationImage.objects.filter(generation_set_id=generation_set_id, copy_state=GenerationImage.CopyState.WAITING)
        .exclude(url="")
        .order_by("position", "id")
    )
    copied = failed = 0
    retry_attempts: list[int] = []
    for image in waiting:
        state, attempts = copy_image(image)
        if state == GenerationImage.CopyState.COPIED:
            copied += 1
        elif state == GenerationImage.CopyState.FAILED:
            failed += 1
        elif state == GenerationImage.CopyState.WAITING:
            retry_attempts.append(attempts)
    if retry_attempts:
        _enqueue(generation_set_id, delay_seconds=retry_delay(min(retry_attempts)))
    return {"copied": copied, "failed": failed, "retrying": len(retry_attempts)}


def copy_image(image: GenerationImage) -> tuple[str, int]:
    """One try at copying one image: its copy state afterwards and its attempts so far. Never raises."""
    url = image.url
    try:
        picture = _fetch_picture(url)
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


def _fetch_picture(url: str) -> CheckedCopy:
    try:
        data = fetch_image_bytes(
            url, timeout=settings.GENERATION_COPY_TIMEOUT, max_bytes=settings.GENERATION_COPY_MAX_BYTES
        )
    except PrivateAddressError as exc:
        raise CopyFailed(str(exc), final=True) from None
    except FetchError as exc:
        raise CopyFailed(str(exc)) from None
    try:
        with open_picture(io.BytesIO(data)) as picture:
            kind = picture.format or ""
            width, height = picture.size
            picture.load()  # the whole picture decodes: not a truncated file
    except TooManyPixelsError as exc:
        raise CopyFailed(f"Too large: {exc}", final=True) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise CopyFailed(f"Not a picture Pillow can read ({type(exc).__name__})") from None
    if kind not in FORMATS:
        raise CopyFailed(f"Not a picture format we keep ({kind or 'unknown'})")
    return CheckedCopy(
        data=data, extension=FORMATS[kind], width=width, height=height, sha256=hashlib.sha256(data).hexdigest()
    )


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
