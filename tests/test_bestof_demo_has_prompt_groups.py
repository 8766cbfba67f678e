"""`seed_demo` leaves prompt groups in the demo dataset, so /rate/demo/best/ can be tried offline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from ratings_site.bestof.models import PromptGroup


@pytest.mark.django_db
def test_seed_demo_makes_prompt_groups(settings, tmp_path: Path, demo_pictures_drawn_once: None, login) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()

    call_command("seed_demo", count=24, stdout=out)

    assert "Prompt groups:" in out.getvalue()
    groups = PromptGroup.objects.filter(dataset__slug="demo", wants_picks=True)
    assert groups.count() >= 2
    page = login().get("/rate/demo/best/")
    assert page.status_code == 200
    assert 'data-testid="group-image"' in page.content.decode()
    assert 'href="/rate/demo/best/"' in login().get("/rate/demo/").content.decode()  # the rate page links to it
