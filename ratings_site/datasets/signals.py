"""What the datasets app tells the apps above it, so that no lower app imports a higher one.

`images_hidden_changed` is sent by `datasets.services.set_flags` when images were hidden or shown again (a
moderator's act, the admin's actions): the agreement figures (reliability), which leave hidden images out as the
export does, read those images again.
"""

from __future__ import annotations

from django.dispatch import Signal

# Arguments: image_ids (a list of image primary keys).
images_hidden_changed = Signal()
