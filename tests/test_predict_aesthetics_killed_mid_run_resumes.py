"""`predict_aesthetics` killed (SIGKILL) at an arbitrary moment while it writes scores: the next run scores only the
images left (none twice, the killed run's rows untouched), and the end state covers exactly what one uninterrupted
run covers, with the same scores. (tests/test_predict_aesthetics_resumes.py kills it at a chosen stall; here the
kill falls wherever the run happens to be.)"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from ratings_site.datasets.models import Dataset, Image
from ratings_site.predictor.models import AestheticScore, ImageEmbedding
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    ROOT,
    TINY_CLIP,
    other_process_environment,
    predict,
    predictor_dirs,
    seed_demo,
    summary,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process sharing the database needs PostgreSQL"),
]

IMAGES = 240  # enough that the kill lands mid-run: one image a batch, each batch committed on its own
KILL_AFTER = 5  # scores written


def _scores() -> dict[int, tuple]:
    return {row[0]: row for row in AestheticScore.objects.values_list("image_id", "pk", "created_at", "score")}


def test_a_run_killed_mid_write_resumes_with_the_rest_and_matches_an_uninterrupted_run(predictor_dirs, settings):
    pictures = seed_demo(12)
    demo = Dataset.objects.get(slug="demo")
    Image.objects.bulk_create(
        Image(dataset=demo, file=pictures[i % len(pictures)].file.name, dedupe_key=f"copy-{i}")
        for i in range(IMAGES - len(pictures))
    )
    wanted = set(Image.objects.filter(dataset=demo).values_list("pk", flat=True))
    assert len(wanted) == IMAGES

    run = subprocess.Popen(
        [sys.executable, "manage.py", "predict_aesthetics", *TINY_CLIP, "--head", "none", "--batch-size", "1",
         "--workers", "0", "--no-progress", "--no-prioritise"],
        cwd=ROOT, env=other_process_environment(settings),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while AestheticScore.objects.count() < KILL_AFTER and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    _, errors = run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL, errors[-3000:]

    killed = _scores()
    assert KILL_AFTER <= len(killed) < IMAGES, f"the kill fell outside the run: {len(killed)} scored"
    assert set(ImageEmbedding.objects.values_list("image_id", flat=True)) >= set(killed)

    output = predict("--no-prioritise", batch_size=8)

    left = IMAGES - len(killed)
    assert f"{left} images to score" in output
    figures = summary(output)
    assert figures["scored"] == left and figures["broken"] == 0  # only the rest, not from scratch
    assert Counter(AestheticScore.objects.values_list("image_id", flat=True)) == dict.fromkeys(wanted, 1)
    resumed = _scores()
    assert {i: resumed[i] for i in killed} == killed, "the killed run's rows are as it wrote them"

    # One uninterrupted run, from nothing: the same images, the same scores (the same random weights).
    AestheticScore.objects.all().delete()
    ImageEmbedding.objects.all().delete()
    whole = predict("--no-prioritise", batch_size=8)
    assert summary(whole)["scored"] == IMAGES
    uninterrupted = dict(AestheticScore.objects.values_list("image_id", "score"))
    assert set(uninterrupted) == set(resumed) == wanted
    for image_id, (_, _, _, score) in resumed.items():
        assert score == pytest.approx(uninterrupted[image_id], abs=1e-4)
