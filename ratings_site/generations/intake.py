"""What reaches us about a generation set from outside our pages: a client's registration, the Horde's forward.

Two operations, keyword-only, one transaction each, under the set's row lock so that parallel calls about
one request id are decided one at a time:

- `register_generation_set`: a client app (`POST /api/v1/generations`) tells us, ahead of the rating, the
  prompt, negative prompt and parameters of a request (which the Horde's status never returns) and its
  images. It fills in what the set does not know yet; it never changes what the set already holds, and it never
  claims or fills in a set that is already rated or that the Horde's forward brought.
- `take_horde_set`: the Horde forwards every rated set to `POST /api/v1/rating/set` (shared/horde-wire.md
  §2) and credits the reward only if we answer 2xx. A set rated for the first time is recorded through the
  one best-of rule (`rules.validate_set_rating`) and `services.record_set_rating` (source "horde"). A set
  that was already rated is refused (`AlreadyRated`, 403: the Horde then tells its client "already rated"
  and pays nothing), except once: the forward of a set that our own site (or a client's flow) is submitting
  to the Horde at this moment, or has just submitted. That one is answered 2xx and only noted
  (`horde_intake_at`): the rater's validated pick stays the truth (the Horde's forwarded `best` may differ,
  its tie detection never fires, §1). Nothing is counted twice.

The Horde knows whose request it is (it pays the owner; `generate/rate` takes no key), so its forward decides
whose set it is (`owner_known`). The rater a forward names (`user.username`, "name#id") is matched by Horde id,
created when new with nothing taken from the payload but the name: no trust, no moderator rights, no kudos.
When it names someone other than the rater who registered or rated the set through us, that rater's part goes:
the forward of a rating our site is submitting is refused (403: the Horde pays nothing) and the rating taken back
(`services.hand_to_the_hordes_owner`), and a registration's prompt, parameters and images are dropped.

Refusals are `IntakeRefused` with the HTTP status the API answers and a message for people.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ratings_site.generations.models import GenerationImage, GenerationSet, Source
from ratings_site.generations.rules import SetRatingRefused, validate_set_rating
from ratings_site.generations.services import hand_to_the_hordes_owner, record_set_rating
from ratings_site.horde.client import HORDE_ID_MAX, clean_username
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, Rater
from ratings_site.refusals import Refusal

# The Horde makes at most 20 images per request (its `n`).
MAX_IMAGES_PER_SET = 20
CLIENT_AGENT_MAX_LENGTH = 200  # GenerationSet.client_agent
# The sets our own site (or a client's flow through it) hands to the Horde's generate/rate: the Horde forwards
# them back to our intake while, or just after, we submit them.
OUR_OWN_SUBMISSIONS = (GenerationSet.Submission.PENDING, GenerationSet.Submission.SENT)
OUR_OWN_SOURCES = (Source.PAGE, Source.CLIENT)


class IntakeRefused(Refusal):
    """A registration or a forward we refuse; `status` is the HTTP status the API answers."""

    code = "intake_refused"


class AlreadyRated(IntakeRefused):
    """The Horde forwarded a set that was rated before (the Horde reads our 403 as "already rated")."""

    code = "set_already_rated"
    status = 403


class RegisteredByAnother(IntakeRefused):
    code = "registered_by_another"
    status = 403


class NotTheOwnersRating(IntakeRefused):
    """The Horde forwarded a rating our site is submitting, and names another user as the request's owner: we
    answer 403, so the Horde pays nothing (the submitter is told it is another user's set)."""

    code = "not_the_owners_rating"
    status = 403


class ForwardedSetRefused(IntakeRefused):
    """A registration of a set the Horde's forward brought: its description can only come from its owner's
    client, before it was rated."""

    code = "forwarded_set_refused"
    status = 403


class RatedSetRefused(IntakeRefused):
    """A registration that would claim or change a set that is already rated."""

    code = "rated_set_refused"
    status = 409


NOT_THE_OWNER_MESSAGE = (
    "The AI Horde says another user made this request, so only they can rate it: your rating was not kept "
    "and nobody was paid for it."
)


class AnonymousRefused(IntakeRefused):
    """The anonymous Horde user registers nothing: its sets have no owner and earn nothing."""

    code = "anonymous_refused"
    status = 403


class RegistrationConflict(IntakeRefused):
    """A registration that would change what the set already holds (another prompt, model or seed)."""

    code = "registration_conflict"
    status = 409


def canonical_request_id(value: object) -> str:
    """A Horde request id as every part of the site keys it: the UUID's canonical text (lower case, dashes)."""
    try:
        return str(uuid.UUID(str(value).strip()))
    except (ValueError, AttributeError):
        raise IntakeRefused("The request id must be the Horde's request id (a UUID).") from None


def clean_client_agent(value: object) -> str:
    """The Client-Agent as display data: no control characters, spaces collapsed, cut to fit."""
    text = "".join(ch for ch in str(value or "") if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[:CLIENT_AGENT_MAX_LENGTH]


def _lock_or_create_set(request_id: str, **defaults: Any) -> tuple[GenerationSet, bool]:
    """The set of `request_id`, locked until the transaction ends; made (with `defaults`) when new.

    Must run inside a transaction. Two callers making the same set at once: one creates it, the other waits
    for the unique index, then finds and locks it.
    """
    created = False
    generation_set = GenerationSet.objects.select_for_update().filter(request_id=request_id).first()
    if generation_set is None:
        try:
            with transaction.atomic():
                generation_set = GenerationSet.objects.create(request_id=request_id, **defaults)
                created = True
        except IntegrityError:
            generation_set = GenerationSet.objects.select_for_update().get(request_id=request_id)
    return generation_set, created


# ---- a client's registration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredImage:
    """One image a client registers: the Horde's generation id, its link, model and seed (as text)."""

    id: str
    url: str = ""
    model: str = ""
    seed: str = ""


@dataclass(frozen=True)
class Registration:
    """What a registration did: the set (locked and saved), whether this call made it, and whether any image
    has a link still to copy (the caller schedules the copies: `copies.schedule_copies`)."""

    generation_set: GenerationSet
    created: bool
    images_to_copy: bool = False
    changed: list[str] = field(default_factory=list)


def register_generation_set(
    *,
    rater: Rater,
    request_id: str,
    prompt: str,
    negative_prompt: str,
    params: dict,
    images: Sequence[RegisteredImage],
    client_agent: str = "",
) -> Registration:
    """Record a set a client registers ahead of its rating (source "client"), or fill in a set we know.

    - A new request id: the set is made, owned by `rater`, with its images (`created`).
    - A set `rater` already owns (or nobody owns yet: it becomes theirs): what it does not know yet is filled
      in (prompt, negative prompt, parameters, an image's model, seed or link, images it did not list while
      it is unrated); the same registration again changes nothing. An image's link may be replaced by a
      fresher one until the image is copied (the Horde's links are signed and expire). A prompt, negative
      prompt, parameters, model or seed that differ from what the set holds are refused
      (`RegistrationConflict`, 409): a registration describes a request, it cannot rewrite one.
    - A set another rater owns: `RegisteredByAnother` (403), nothing changed.
    - A set the Horde's forward brought (`ForwardedSetRefused`, 403), and a rated set it would claim or change
      (`RatedSetRefused`, 409): an anonymous set published with its request id cannot be described or given
      pictures by whoever registers that id. The owner's same registration again still answers 200.
    """
    request_id = canonical_request_id(request_id)
    if rater.horde_id is None or rater.horde_id == ANONYMOUS_HORDE_ID:
        raise AnonymousRefused("Register sets with your own Horde API key: anonymous sets have no owner.")
    if not 1 <= len(images) <= MAX_IMAGES_PER_SET:
        raise IntakeRefused(f"A set has 1 to {MAX_IMAGES_PER_SET} images.")
    ids = [image.id for image in images]
    if len(set(ids)) != len(ids):
        raise IntakeRefused("Each image id may be listed once.")
    client_agent = clean_client_agent(client_agent)
    with transaction.atomic():
        generation_set, created = _lock_or_create_set(
            request_id,
            rater=rater,
            prompt=prompt,
            negative_prompt=negative_prompt,
            params=params,
            source=Source.CLIENT,
            client_agent=client_agent,
        )
        if created:
            GenerationImage.objects.bulk_create(
                GenerationImage(
                    generation_set=generation_set,
                    generation_id=image.id,
                    position=position,
                    url=image.url,
                    model=image.model,
                    seed=image.seed,
                )
                for position, image in enumerate(images)
            )
            return Registration(
                generation_set=generation_set, created=True, images_to_copy=any(image.url for image in images)
            )
        if generation_set.source == Source.HORDE:
            raise ForwardedSetRefused(
                "This set reached us through the Horde's forward of its rating: a registration cannot claim it or "
                "change its prompt, parameters or images."
            )
        rated_refusal = RatedSetRefused(
            "This set is already rated: a registration cannot claim it or change its prompt, parameters or images."
        )
        if generation_set.is_rated and generation_set.rater_id != rater.pk:
            raise rated_refusal
        if generation_set.rater_id is not None and generation_set.rater_id != rater.pk:
            raise RegisteredByAnother("Another rater registered this request id.")
        changed = _fill_in_set(
            generation_set, rater=rater, prompt=prompt, negative_prompt=negative_prompt, params=params,
            client_agent=client_agent,
        )
        changed += _fill_in_images(generation_set, images)
        if changed and generation_set.is_rated:
            raise rated_refusal  # the transaction rolls back whatever was filled in
        to_copy = generation_set.images.filter(copy_state=GenerationImage.CopyState.WAITING).exclude(url="").exists()
    return Registration(generation_set=generation_set, created=False, images_to_copy=to_copy, changed=changed)


def _fill_in_set(
    generation_set: GenerationSet, *, rater: Rater, prompt: str, negative_prompt: str, params: dict, client_agent: str
) -> list[str]:
    changed: list[str] = []
    for name, value in (("prompt", prompt), ("negative_prompt", negative_prompt), ("params", params)):
        held = getattr(generation_set, name)
        if value in ("", {}) or value == held:
            continue
        if held not in ("", {}):
            label = name.replace("_", " ")
            raise RegistrationConflict(
                f"This set was registered with another {label}; a registration cannot change it."
            )
        setattr(generation_set, name, value)
        changed.append(name)
    if generation_set.rater_id is None:
        generation_set.rater = rater
        changed.append("rater")
    if client_agent and not generation_set.client_agent:
        generation_set.client_agent = client_agent
        changed.append("client_agent")
    if changed:
        generation_set.save(update_fields=[*changed, "updated_at"])
    return changed


def _fill_in_images(generation_set: GenerationSet, images: Sequence[RegisteredImage]) -> list[str]:
    held = {image.generation_id: image for image in generation_set.images.all()}
    changed: list[str] = []
    new = [image for image in images if image.id not in held]
    if new and generation_set.is_rated:
        raise RegistrationConflict(
            "This set is already rated, so images cannot be added to it: "
            + ", ".join(image.id for image in new[:5])
        )
    for registered in images:
        image = held.get(registered.id)
        if image is None:
            continue
        fields: list[str] = []
        for name in ("model", "seed"):
            value, current = getattr(registered, name), getattr(image, name)
            if not value or value == current:
                continue
            if current:
                raise RegistrationConflict(
                    f"Image {registered.id} was registered with another {name}; a registration cannot change it."
                )
            setattr(image, name, value)
            fields.append(name)
        fresher_link = registered.url and registered.url != image.url and image.copy_state != GenerationImage.CopyState.COPIED
        # Only a link the registration itself gave may be replaced: a link from the Horde's status stays the Horde's.
        if fresher_link and (not image.url or generation_set.source == Source.CLIENT):
            # A fresher link (the Horde's are signed and expire): a copy that failed gets another chance.
            image.url = registered.url
            image.copy_state, image.copy_attempts, image.copy_error = GenerationImage.CopyState.WAITING, 0, ""
            fields += ["url", "copy_state", "copy_attempts", "copy_error"]
        if fields:
            image.save(update_fields=fields)
            changed.append(f"image {registered.id}")
    if new:
        start = max((image.position for image in held.values()), default=-1) + 1
        GenerationImage.objects.bulk_create(
            GenerationImage(
                generation_set=generation_set,
                generation_id=image.id,
                position=start + offset,
                url=image.url,
                model=image.model,
                seed=image.seed,
            )
            for offset, image in enumerate(new)
        )
        changed += [f"image {image.id}" for image in new]
    return changed


# ---- the Horde's forward of a rated set ---------------------------------------------------------------------

# "name#id", as the Horde's `get_unique_alias()` writes it; a shared key's marker, should one ever be sent, is
# not part of the identity.
_HORDE_ALIAS = re.compile(r"(?s)(?P<name>.*)#(?P<id>[0-9]{1,19})")
_SHARED_KEY_SUFFIX = re.compile(r"\s*\(Shared Key:.*\)\s*$", re.S)


def horde_id_of(username: object) -> int:
    """The Horde id in a forward's `user.username` ("name#id"); IntakeRefused (400) when there is none."""
    if not isinstance(username, str):
        raise IntakeRefused("user.username must be the Horde user's alias, name#id.")
    match = _HORDE_ALIAS.fullmatch(_SHARED_KEY_SUFFIX.sub("", username.strip()))
    if match is None or int(match["id"]) > HORDE_ID_MAX:
        raise IntakeRefused("user.username must be the Horde user's alias, name#id.")
    return int(match["id"])


def rater_for_horde_alias(username: str) -> Rater | None:
    """Our rater for the Horde user a forward names: found by Horde id, made when new (named, nothing granted).

    None for the anonymous user (id 0): every anonymous login is a rater of its own, so an anonymous set has no
    owner. An existing rater is left as it is: a forward is not a login, and its other user fields say nothing
    we act on.
    """
    horde_id = horde_id_of(username)
    if horde_id == ANONYMOUS_HORDE_ID:
        return None
    rater = Rater.objects.filter(horde_id=horde_id).first()
    if rater is not None:
        return rater
    try:
        with transaction.atomic():
            rater = Rater(horde_id=horde_id, username=clean_username(username.strip(), horde_id=horde_id))
            rater.set_unusable_password()
            rater.save()
            return rater
    except IntegrityError:  # made by a parallel forward or login meanwhile
        return Rater.objects.get(horde_id=horde_id)


@dataclass(frozen=True)
class IntakeOutcome:
    """What the intake did with a forward: `recorded` (the set's rating stored now: 201) or noted the forward of
    a set our site is submitting (`acknowledged`: 200, nothing stored but `horde_intake_at`)."""

    generation_set: GenerationSet
    recorded: bool

    @property
    def acknowledged(self) -> bool:
        return not self.recorded

    @property
    def status(self) -> int:
        return 201 if self.recorded else 200


def take_horde_set(
    *,
    request_id: str,
    all_set_ids: Sequence[str],
    username: str,
    ratings: list[dict] | None,
    best: str | None,
    client_agent: str = "",
) -> IntakeOutcome:
    """The Horde's forward of a rated set (shared/horde-wire.md §2), decided under the set's row lock.

    - The set was rated before: `AlreadyRated` (403), unless it was rated through our page or a client's
      registration flow, its submission to the Horde is pending or sent, and this is the Horde's first forward
      of it (`horde_intake_at` empty): then the forward is only noted and answered 2xx.
      When that forward names another user than the rater who submitted it, the rating is taken back, the set
      given to the named user, and the forward refused (`NotTheOwnersRating`, 403: the Horde pays nothing).
    - Otherwise the set (made when new, source "horde", with an image per id of `all_set_ids`) is rated by the
      one best-of rule and recorded with source "horde", owned by the forward's user (the Horde knows whose
      request it is; a registration by anyone else is dropped: its prompt, parameters and images); a rating the
      rule refuses is `IntakeRefused` (400) and stores nothing.
    """
    request_id = canonical_request_id(request_id)
    ids = list(all_set_ids)
    if len(set(ids)) != len(ids):
        raise IntakeRefused("all_set_ids lists an image twice.")
    client_agent = clean_client_agent(client_agent)
    with transaction.atomic():
        rater = rater_for_horde_alias(username)
        generation_set, _ = _lock_or_create_set(
            request_id, rater=rater, source=Source.HORDE, client_agent=client_agent
        )
        owner_id = rater.pk if rater else None
        if generation_set.is_rated:
            if not (
                generation_set.horde_intake_at is None
                and generation_set.rated_via in OUR_OWN_SOURCES
                and generation_set.submission in OUR_OWN_SUBMISSIONS
            ):
                raise AlreadyRated("This generation set is already rated.")
            if owner_id is not None and generation_set.rater_id == owner_id:
                generation_set.horde_intake_at = timezone.now()
                generation_set.owner_known = True
                generation_set.save(update_fields=["horde_intake_at", "owner_known", "updated_at"])
                return IntakeOutcome(generation_set=generation_set, recorded=False)
            # Rated here by someone the Horde does not call its owner: taken back and kept so (the refusal below
            # comes after the commit), so that the Horde pays nobody and the owner can still rate it.
            hand_to_the_hordes_owner(generation_set, owner=rater, message=NOT_THE_OWNER_MESSAGE)
            refusal: IntakeRefused | None = NotTheOwnersRating(
                "This generation set was rated here by another user than its owner."
            )
        else:
            refusal = None
            _record_forwarded_rating(
                generation_set, rater=rater, ids=ids, ratings=ratings, best=best, client_agent=client_agent
            )
    if refusal is not None:
        raise refusal
    return IntakeOutcome(generation_set=generation_set, recorded=True)


def _record_forwarded_rating(
    generation_set: GenerationSet,
    *,
    rater: Rater | None,
    ids: list[str],
    ratings: list[dict] | None,
    best: str | None,
    client_agent: str,
) -> None:
    """Record the rating a forward brings of a set not rated yet (locked by the caller), owned by the forward's
    user: what a rater other than the Horde's owner registered is dropped first."""
    owner_id = rater.pk if rater else None
    if generation_set.rater_id is not None and generation_set.rater_id != owner_id:
        _drop_what_another_gave(generation_set, client_agent=client_agent)
    images = _images_for(generation_set, ids)
    try:
        valid = validate_set_rating(
            image_ids=[image.generation_id for image in images if not image.faulted],
            faulted_ids={image.generation_id for image in images if image.faulted},
            ratings=ratings,
            best=best,
        )
    except SetRatingRefused as exc:
        raise IntakeRefused(exc.message) from None
    if generation_set.rater_id != owner_id:
        # The Horde knows whose request this is; a registration by anyone else does not make it theirs.
        generation_set.rater = rater
        generation_set.save(update_fields=["rater", "updated_at"])
    try:
        outcome = record_set_rating(
            generation_set=generation_set, rater=rater, valid=valid, source=Source.HORDE, client_agent=client_agent
        )
    except SetRatingRefused as exc:
        raise IntakeRefused(exc.message) from None
    if outcome.duplicate:  # cannot happen under the lock; refuse rather than count anything twice
        raise AlreadyRated("This generation set is already rated.")
    GenerationSet.objects.filter(pk=generation_set.pk).update(
        horde_intake_at=timezone.now(), owner_known=rater is not None
    )
    generation_set.refresh_from_db()


def _drop_what_another_gave(generation_set: GenerationSet, *, client_agent: str) -> None:
    """The Horde names another owner than the rater who registered (or claimed) this unrated set: what that rater
    said about it goes. The prompt, negative prompt and parameters are cleared; a registered set's images (their
    links, models and seeds came from the registration) are made again from the Horde's list."""
    generation_set.prompt = ""
    generation_set.negative_prompt = ""
    generation_set.params = {}
    generation_set.client_agent = client_agent
    generation_set.save(update_fields=["prompt", "negative_prompt", "params", "client_agent", "updated_at"])
    if generation_set.source == Source.CLIENT:
        generation_set.images.all().delete()


def _images_for(generation_set: GenerationSet, ids: Sequence[str]) -> list[GenerationImage]:
    """The set's images, with one made for each id of the Horde's list that the set does not know yet."""
    held = {image.generation_id: image for image in generation_set.images.all()}
    missing = [image_id for image_id in ids if image_id not in held]
    if missing:
        start = max((image.position for image in held.values()), default=-1) + 1
        GenerationImage.objects.bulk_create(
            (
                GenerationImage(generation_set=generation_set, generation_id=image_id, position=start + offset)
                for offset, image_id in enumerate(missing)
            ),
            ignore_conflicts=True,
        )
    return list(generation_set.images.order_by("position", "id"))
