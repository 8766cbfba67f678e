"""Priorities are written in chunks of ids (each its own transaction, shared among connections), and every chunk lands."""

import numpy as np
import pytest
from django.db import connection

from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.predictor.priorities import apply_priorities
from tests.helpers import priority_of


@pytest.mark.parametrize("write_connections", [1, 3], ids=["one connection", "three connections"])
@pytest.mark.django_db(transaction=True)
def test_every_chunk_of_priorities_is_written(make_images, write_connections):
    version = PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="h", head_sha256="0" * 64, is_current=True
    )
    images = make_images(11, priority=0.0)
    scores = np.linspace(1, 10, len(images))
    AestheticScore.objects.bulk_create(
        AestheticScore(image=image, version=version, score=float(score)) for image, score in zip(images, scores)
    )

    summary = apply_priorities("score", chunk_rows=3, write_connections=write_connections)  # 3 + 3 + 3 + 2

    assert summary["updated"] == 10  # the lowest score's priority stays 0.0
    priorities = [priority_of(image) for image in images]
    assert priorities == pytest.approx(np.linspace(0, 1, len(images)).tolist())
    if connection.vendor == "postgresql":  # the work table is gone
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'priority_update_%%'")
            assert cursor.fetchone() == (0,)
