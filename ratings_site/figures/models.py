"""The site's figures for the landing page: one stored row, counted in the background."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q

# The landing page asks for new figures when the stored ones are older than this, and at most once per this long.
FIGURES_MAX_AGE = timedelta(minutes=5)


class SiteFigures(models.Model):
    """What the site has gathered so far, for the landing page: one row (pk 1), written only by
    `figures.services.refresh_site_figures` (the `refresh_site_figures` task and command).

    The page reads these stored counters and never counts the ratings table itself (millions of rows).
    No row, or a row never computed, means "no figures yet": the page then shows none rather than zeros.
    """

    ROW = 1

    ratings = models.BigIntegerField(default=0, help_text="Ratings of dataset images (captcha answers are not ratings)")
    raters = models.BigIntegerField(default=0, help_text="Raters who have rated at least one image.")
    images = models.BigIntegerField(default=0, help_text="Images in the public datasets (not captchas, not hidden).")
    kudos_paid = models.BigIntegerField(default=0, help_text="Kudos paid to raters on the Horde.")
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When these figures were counted.")
    refresh_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When a page last asked for a recount (at most one per FIGURES_MAX_AGE)."
    )

    class Meta:
        verbose_name_plural = "site figures"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="site_figures_single_row")]

    def __str__(self) -> str:
        return f"Site figures as of {self.computed_at or 'never'}"

    def is_stale(self, now: datetime) -> bool:
        return self.computed_at is None or self.computed_at < now - FIGURES_MAX_AGE

    def refresh_was_requested(self, now: datetime) -> bool:
        """Whether a recount was asked for within the last FIGURES_MAX_AGE (so no other is needed)."""
        return self.refresh_requested_at is not None and self.refresh_requested_at >= now - FIGURES_MAX_AGE
