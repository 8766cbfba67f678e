"""embed_generations embeds each copied generation image (its file in MEDIA_ROOT) once under the CLIP key,
with the tiny open_clip model on the CPU: one GenerationEmbedding row per copied image, the same vector the
model gives the picture; images not copied (waiting, failed) are skipped and counted; a second run embeds
nothing more."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image as PILImage

from ratings_site.generations.models import GenerationImage, GenerationSet, Source
from ratings_site.predictor.clip import load_clip
from ratings_site.predictor.models import GenerationEmbedding
from tests.predictor_fixtures import DATA, EMBEDDING_DIM, TINY_CLIP, TINY_CLIP_KEY, predictor_dirs  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def picture(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (48, 40), colour).save(buffer, format="WEBP")
    return buffer.getvalue()


def embed(*args: str) -> str:
    out = io.StringIO()
    call_command("embed_generations", *TINY_CLIP, "--batch-size", "2", "--workers", "0", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_copied_images_get_one_embedding_each_and_the_others_are_skipped(predictor_dirs):
    generation_set = GenerationSet.objects.create(request_id="set-1", source=Source.HORDE)
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    copied = []
    for position, colour in enumerate(colours):
        name = default_storage.save(f"generations/g{position}.webp", ContentFile(picture(colour)))
        copied.append(
            GenerationImage.objects.create(
                generation_set=generation_set,
                generation_id=f"g{position}",
                position=position,
                file=name,
                copy_state=GenerationImage.CopyState.COPIED,
            )
        )
    GenerationImage.objects.create(generation_set=generation_set, generation_id="waiting", position=3)
    GenerationImage.objects.create(
        generation_set=generation_set, generation_id="failed", position=4, copy_state=GenerationImage.CopyState.FAILED
    )

    output = embed()

    assert "3 copied images to embed" in output, output
    assert "Embedded 3 generation images, 0 unreadable, 2 not copied (skipped)" in output, output
    rows = {row.image_id: row.as_array().astype(np.float32) for row in GenerationEmbedding.objects.all()}
    assert sorted(rows) == [image.pk for image in copied]
    assert set(GenerationEmbedding.objects.values_list("clip_model", flat=True)) == {TINY_CLIP_KEY}
    clip = load_clip(
        "tiny-clip-test",
        "none",
        device=torch.device("cpu"),
        dtype=torch.float32,
        model_config=str(DATA / "tiny-clip-test.json"),
    )
    for image, colour in zip(copied, colours):
        vector = rows[image.pk]
        assert vector.shape == (EMBEDDING_DIM,)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-2)
        pixels = clip.preprocess(PILImage.open(io.BytesIO(picture(colour))).convert("RGB")).unsqueeze(0)
        assert vector == pytest.approx(clip.encode(pixels)[0].numpy(), abs=2e-3)
    assert not np.allclose(rows[copied[0].pk], rows[copied[1].pk])

    again = embed()

    assert "0 copied images to embed" in again and "Embedded 0 generation images" in again, again
    assert GenerationEmbedding.objects.count() == 3
