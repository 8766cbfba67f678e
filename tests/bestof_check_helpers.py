"""Best-of check groups for the tests: prompt groups of file images (numbered as a demo's are, so that a check can
pass for them), best-of checks posing as them, and the page read back (which images, which token)."""

from __future__ import annotations

import hashlib
import io
import itertools
import random
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.selectors import GroupToPick, group_to_pick
from ratings_site.bestof.services import refresh_prompt_groups
from ratings_site.datasets.captchas import make_best_checks
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from tests.conftest import csrf_token

SLUG = "shots"
_prompts = itertools.count()

GROUP_ID = re.compile(r'data-group-id="(\d+)"')
IMAGE_ID = re.compile(r'data-testid="group-image" data-image-id="([0-9a-f-]+)"')
TOKEN = re.compile(r'name="(card|upcoming)" value="([^"]*)"')


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """A MEDIA_ROOT of the test's own, so that the numbered names of other tests' files do not count."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_file_groups(groups: int, *, size: int = 4, slug: str = SLUG, priority: float = 0.0) -> list[GroupToPick]:
    """`groups` prompt groups of `size` 768 px PNG files each, named `<slug>/shot-NNN.png` with numbers spread over
    000-999 (a dataset whose files a check image can pass for), in the image queue too."""
    dataset, _ = Dataset.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "public": True})
    taken = {int(name[-7:-4]) for name in dataset.images.values_list("file", flat=True)}
    numbers = random.sample(sorted(set(range(1000)) - taken), groups * size)
    firsts = []
    for _ in range(groups):
        prompt = f"a red barn in the morning fog, take {next(_prompts)}"
        for k in range(size):
            number = numbers.pop()
            buffer = io.BytesIO()
            PILImage.new("RGB", (768, 768), (number % 256, number // 256 * 40, 90)).save(buffer, "PNG")
            data = buffer.getvalue()
            name = default_storage.save(f"{slug}/shot-{number:03d}.png", ContentFile(data))
            image = Image.objects.create(
                dataset=dataset,
                file=name,
                dedupe_key=hashlib.sha256(data).hexdigest(),
                caption=prompt,
                width=768,
                height=768,
            )
            if k == 0:
                firsts.append(image)
    refresh_queue(Image.objects.filter(dataset=dataset))
    refresh_prompt_groups(Dataset.objects.filter(slug=slug))
    made = [PromptGroup.objects.get(members__image=first) for first in firsts]
    PromptGroup.objects.filter(pk__in=[group.pk for group in made]).update(priority=priority)
    return [group_to_pick(PromptGroup.objects.get(pk=group.pk)) for group in made]


def best_checks(count: int) -> list[Image]:
    """`count` best-of checks, drawn to pass for the public datasets' files (datasets.captchas.make_best_checks)."""
    return make_best_checks(count)


def shown_group(page: str) -> PromptGroup:
    return PromptGroup.objects.get(pk=GROUP_ID.search(page).group(1))


def shown_images(page: str) -> list[Image]:
    """The card's images, in their order on the page."""
    ids = IMAGE_ID.findall(page)
    found = {str(image.public_id): image for image in Image.objects.filter(public_id__in=ids)}
    return [found[value] for value in ids]


def tokens(page: str) -> dict[str, str]:
    """The card's signed tokens, as its pick form carries them: {"card": ..., "upcoming": ...}."""
    return dict(TOKEN.findall(page))


def best_url(slug: str = SLUG) -> str:
    return f"/rate/{slug}/best/"


def post_card(client, page: str, action: str, *, winner: str = "", htmx: bool = True, **fields: str):
    """Send the card's pick (`action` "pick", with `winner`) or skip ("skip") as the page's form would, its tokens
    included (override any with `fields`)."""
    group = shown_group(page)
    data = {**tokens(page), **({"winner": winner} if action == "pick" else {}), **fields}
    url = f"/rate/{group.dataset.slug}/best/{group.pk}/{action}/"
    if htmx:
        return client.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})
    return client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(client)})
