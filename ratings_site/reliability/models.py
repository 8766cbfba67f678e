"""How far the ratings can be trusted: agreement per dataset, a reliability weight per rater, ratings per day.

Written only by this app's jobs (reliability.agreement, reliability.weights), read by the export, the stats page,
the moderators' rater page and training. Every figure here is computed from counted ratings (Rating.counts).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AgreementUnit(models.Model):
    """One image's counted values as its dataset's figures last took them in: its share of them.

    `ratings` is the histogram of its counted ratings (10 counts, for 1..10), `artifacts` that of their artifacts
    (6 counts, for 0..5), both empty of counts while the image is hidden; `days` counts its counted ratings by the
    UTC day they were made ({"2026-12-07": 3}), hidden or not: its share of DailyRatings. When the image's counted
    ratings change, the agreement job takes the old share out of the dataset's totals and puts the new one in: its
    cost grows with what changed, not with all ratings.

    The unit outlives its image (no database constraint, nothing done on delete): an image deleted outright leaves
    its unit behind, and its ratings' deletion marks it (StaleUnit), so that the next run takes the share out and
    then deletes the unit. With a cascade, the share would have stayed in the totals with nothing left to say so.
    """

    image = models.OneToOneField(
        "datasets.Image", on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.CASCADE, related_name="+")
    ratings = models.JSONField(default=list)
    artifacts = models.JSONField(default=list)
    days = models.JSONField(default=dict)


class StaleUnit(models.Model):
    """An image whose counted ratings changed other than by a new rating (an undo, a change, an invalidation, a
    ban): the agreement job reads it again, then forgets the row. New ratings need no row: the job finds them by
    their id, after its watermark (AgreementProgress.last_rating_id)."""

    image_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(auto_now_add=True)


class AgreementProgress(models.Model):
    """Where the agreement job stands: one row (pk 1)."""

    last_rating_id = models.BigIntegerField(default=0, help_text="The ratings up to this id are taken in.")
    computed_at = models.DateTimeField(null=True, blank=True)
    weights_computed_at = models.DateTimeField(null=True, blank=True)
    refresh_requested_at = models.DateTimeField(null=True, blank=True)


class DatasetAgreement(models.Model):
    """A dataset's agreement figures and value counts, from its images' counted ratings.

    `rating_alpha`: Krippendorff's alpha with the interval metric on the 1..10 ratings; `artifacts_alpha`: with the
    ordinal metric on the 0..5 artifacts. Null while fewer than two pairable values (images with 2+ ratings) exist.
    The coincidence matrices (10x10, 6x6, lists of rows) are the sums of the units' shares, from which the alphas
    are computed exactly. The histograms count every counted value; `ratings_per_image[k]` is the number of its
    images with k+1 counted ratings (images with none are the dataset's image_count minus their sum).
    """

    dataset = models.OneToOneField(
        "datasets.Dataset", on_delete=models.CASCADE, primary_key=True, related_name="agreement"
    )
    rating_alpha = models.FloatField(null=True, blank=True)
    artifacts_alpha = models.FloatField(null=True, blank=True)
    rating_coincidences = models.JSONField(default=list)
    artifacts_coincidences = models.JSONField(default=list)
    rating_histogram = models.JSONField(default=list)
    artifacts_histogram = models.JSONField(default=list)
    ratings_per_image = models.JSONField(default=list)
    computed_at = models.DateTimeField(null=True, blank=True)


class DailyRatings(models.Model):
    """How many counted ratings of a dataset's images, of those that exist now, were made on a day (UTC): the stats
    page's ratings per day. The agreement job keeps it as the sum of the images' `AgreementUnit.days`, so that a
    rating undone, put back (a new row, with its first time), invalidated, restored or banned is counted once if it
    counts now and not at all otherwise. Hidden images' ratings are counted: hiding leaves out the image, not the
    work. No row holds 0."""

    day = models.DateField()
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.CASCADE, related_name="+")
    ratings = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "dataset"], name="one_count_per_day_and_dataset")]


class RaterWeight(models.Model):
    """A rater's reliability weight: how much a row of theirs should count in a weighted mean (reliability.weights
    explains the model). 1 is a rater who agrees with the others as well as the population does, or better; less
    is less reliable; 0 is someone to ignore. Refreshed by the weights job for every rater with counted ratings or
    answered checks."""

    rater = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reliability"
    )
    weight = models.FloatField()
    ratings_count = models.PositiveIntegerField(default=0, help_text="Their counted ratings.")
    ratings_compared = models.PositiveIntegerField(
        default=0, help_text="Their counted ratings of images that others rated too (what agreement is measured on)."
    )
    mean_squared_difference = models.FloatField(
        null=True, blank=True, help_text="Mean squared difference from the others' mean of the same images."
    )
    checks_passed = models.PositiveIntegerField(default=0)
    checks_answered = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-ratings_count"], name="weight_by_ratings"),
            models.Index(fields=["weight"], name="weight_lowest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.rater_id}: {self.weight:.2f}"
