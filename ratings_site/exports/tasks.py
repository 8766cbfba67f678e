"""Background refresh of the open dataset (run by the task worker).

The download listing asks for a refresh (`request_refresh`) when the export is older than
EXPORT_MIN_INTERVAL_SECONDS; the task itself skips when a recent export is already there (another worker made it
meanwhile). Before exporting it brings the raters' reliability weights and the agreement figures up to date
(reliability.tasks.refresh_now), which the files carry. The export runs here, never in a web request. This module imports no pyarrow: the task imports the
writer when it runs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from ratings_site.background import enqueue
from ratings_site.exports.manifest import is_recent, read_manifest

REFRESH_REQUESTED_KEY = "exports:refresh-requested"


@task(queue_name="exports")  # minutes at scale: a worker of its own, never ahead of a payment
def refresh_export() -> dict:
    if is_recent(read_manifest(settings.EXPORT_DIR)):
        return {"skipped": True}
    from ratings_site.exports.services import export_dataset
    from ratings_site.reliability.tasks import refresh_now

    refresh_now()  # the weights and agreement the export carries, as of now
    summary = export_dataset(settings.EXPORT_DIR)
    return {"skipped": False, "rows": summary.rows, "seconds": round(summary.seconds, 1)}


def request_refresh() -> bool:
    """Enqueue `refresh_export` unless one was asked for within the interval (every web process shares the cache).

    Returns whether it enqueued.
    """
    if not cache.add(REFRESH_REQUESTED_KEY, True, timeout=max(settings.EXPORT_MIN_INTERVAL_SECONDS, 60)):
        return False
    enqueue(refresh_export)
    return True
