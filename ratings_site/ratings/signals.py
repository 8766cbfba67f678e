"""What the rating pages tell the apps above them, so that no lower app imports a higher one.

`counted_ratings_changed` is sent when the counted ratings of some images changed in bulk, without a rating being
saved or deleted one by one (ratings.counting: a moderator's invalidation or restoring, a ban, an unban): the
agreement figures (reliability) read those images again.

`rated` is sent once a page saved a rating, a best-of pick or a generation set submission (not on a repeated
submit), by the views of ratings, bestof and generations through `announce`. The embedded pages hear it and tell
the app framing them (`embed.events`, connected in `EmbedConfig.ready`); elsewhere nobody listens.
"""

from __future__ import annotations

from django.dispatch import Signal
from django.http import HttpRequest

# Arguments: request, reward, image_id (a dataset image's public id) or request_id (a generation set's).
rated = Signal()


def announce(request: HttpRequest, *, reward: int, image_id: str | None = None, request_id: str | None = None) -> None:
    """Say that this request saved something worth `reward` kudos."""
    rated.send(sender=HttpRequest, request=request, reward=reward, image_id=image_id, request_id=request_id)


# Arguments: image_ids (a list of image primary keys).
counted_ratings_changed = Signal()
