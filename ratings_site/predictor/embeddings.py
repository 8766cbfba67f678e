"""Reading stored CLIP embeddings (float16 bytes in ImageEmbedding or GenerationEmbedding) back as arrays.
No torch here."""

from __future__ import annotations

import numpy as np
from django.db import models

from ratings_site.predictor.models import ImageEmbedding

CHUNK = 5000  # rows per database round trip


def decode_embeddings(vectors: list) -> np.ndarray:
    """float16 bytes (one embedding each) → float32 (n, d)."""
    sizes = {len(vector) for vector in vectors}
    if len(sizes) != 1:
        raise ValueError(f"Embeddings of different sizes under one CLIP key: {sorted(sizes)} bytes")
    joined = b"".join(bytes(vector) for vector in vectors)
    return np.frombuffer(joined, dtype=np.float16).reshape(len(vectors), -1).astype(np.float32)


def load_embeddings(
    key: str, image_ids: np.ndarray, *, chunk_size: int = CHUNK, table: type[models.Model] = ImageEmbedding
) -> tuple[np.ndarray, np.ndarray]:
    """The stored embeddings of these images (ascending ids) under `key`: (found ids, float32 (n, d)).

    `table`: ImageEmbedding (dataset images, the default) or GenerationEmbedding (generation images).
    """
    found_ids: list[np.ndarray] = []
    found_vectors: list[np.ndarray] = []
    for start in range(0, len(image_ids), chunk_size):
        chunk = image_ids[start : start + chunk_size]
        rows = list(
            table.objects.filter(clip_model=key, image_id__in=chunk.tolist())
            .order_by("image_id")
            .values_list("image_id", "vector")
        )
        if rows:
            found_ids.append(np.fromiter((image_id for image_id, _ in rows), dtype=np.int64, count=len(rows)))
            found_vectors.append(decode_embeddings([vector for _, vector in rows]))
    if not found_ids:
        return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
    dims = {vectors.shape[1] for vectors in found_vectors}
    if len(dims) != 1:
        raise ValueError(f"Embeddings of different sizes under {key}: {sorted(dims)}")
    return np.concatenate(found_ids), np.concatenate(found_vectors)
