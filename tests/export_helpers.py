"""Data for the export tests, built fast (bulk_create), and the export read back with pyarrow."""

from __future__ import annotations

import io
import itertools
import uuid
from pathlib import Path

import pyarrow.parquet as pq
from django.core.management import call_command

from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup, PromptGroupImage
from ratings_site.datasets.models import Dataset, Image
from ratings_site.generations.models import GenerationImage, GenerationRating, GenerationSet, Preference, Source
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import rater_counts
from ratings_site.ratings.models import CaptchaAnswer, Rating

_counter = itertools.count(1)


def make_rater(kind: str = "horde", **fields) -> Rater:
    """A rater of one kind: "horde" (a Horde account), "anonymous" (Horde id 0), "local" (no Horde id)."""
    n = next(_counter)
    horde_id = {"horde": 50_000 + n, "anonymous": 0, "local": None}[kind]
    return Rater.objects.create(username=f"{kind}#{n}", horde_id=horde_id, **fields)


def make_dataset_images(count: int, *, dataset: str = "export-set", **fields) -> list[Image]:
    ds, _ = Dataset.objects.get_or_create(slug=dataset, defaults={"name": dataset.title()})
    return Image.objects.bulk_create(
        Image(
            dataset=ds,
            url=f"https://images.example.org/{dataset}/{uuid.uuid4().hex}.jpg",
            caption=f"a caption {next(_counter)}",
            dedupe_key=uuid.uuid4().hex,
            **fields,
        )
        for _ in range(count)
    )


def rate_all(
    rater: Rater, images: list[Image], *, rating: int = 7, artifacts: int | None = 1, **fields
) -> list[Rating]:
    fields.setdefault("counts", rater_counts(rater))  # as the rating rule stores it (raters.standing)
    return Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=rating, artifacts=artifacts, **fields) for image in images
    )


def fail_captchas(rater: Rater, count: int, passed: int = 0) -> None:
    """`count` failed and `passed` passed captcha answers by the rater."""
    captchas = make_dataset_images(count + passed, dataset="captchas", is_captcha=True, captcha_answer=8)
    CaptchaAnswer.objects.bulk_create(
        CaptchaAnswer(rater=rater, image=image, answer=2, passed=n >= count) for n, image in enumerate(captchas)
    )


def make_rated_generation_set(
    rater: Rater | None, *, ratings=(8, 5, 3), best: int | None = 0, **fields
) -> GenerationSet:
    """A generation set rated by its rater: one image per rating, `best` the index of the best (beats the others)."""
    from django.utils import timezone

    request_id = str(uuid.uuid4())
    generation_set = GenerationSet.objects.create(
        request_id=request_id,
        rater=rater,
        prompt=f"a castle {next(_counter)}",
        negative_prompt="blurry",
        params={"steps": 30, "sampler_name": "k_euler"},
        source=Source.CLIENT,
        client_agent="test-client:1:nobody",
        rated_at=timezone.now(),
        rated_via=Source.CLIENT,
        **fields,
    )
    images = GenerationImage.objects.bulk_create(
        GenerationImage(
            generation_set=generation_set,
            generation_id=str(uuid.uuid4()),
            position=n,
            model="stable_diffusion",
            seed=str(1000 + n),
        )
        for n in range(len(ratings))
    )
    GenerationRating.objects.bulk_create(
        GenerationRating(image=image, rating=rating, artifacts=n % 6)
        for n, (image, rating) in enumerate(zip(images, ratings))
    )
    if best is not None:
        Preference.objects.bulk_create(
            Preference(
                generation_set=generation_set, winner=images[best], loser=image, rater=rater, source=Source.CLIENT
            )
            for image in images
            if image != images[best]
        )
        generation_set.best = images[best]
        generation_set.save(update_fields=["best"])
    return generation_set


def make_best_pick(rater: Rater, images: list[Image], winner: int = 0) -> BestPick:
    """A prompt group of `images` (one dataset, 2 to 4) and the rater's pick of images[winner] with its pairs."""
    group = PromptGroup.objects.create(
        dataset=images[0].dataset, prompt_key=uuid.uuid4().hex, prompt="shared prompt", size=len(images)
    )
    PromptGroupImage.objects.bulk_create(
        PromptGroupImage(group=group, image=image, position=n + 1) for n, image in enumerate(images)
    )
    pick = BestPick.objects.create(rater=rater, group=group, winner=images[winner])
    ImagePreference.objects.bulk_create(
        ImagePreference(winner=images[winner], loser=image, group=group, pick=pick, rater=rater)
        for image in images
        if image != images[winner]
    )
    return pick


def export(out_dir: Path, *args: str) -> str:
    """`manage.py export_ratings OUT_DIR ARGS...`; returns what it printed."""
    out = io.StringIO()
    call_command("export_ratings", str(out_dir), *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def read_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()
