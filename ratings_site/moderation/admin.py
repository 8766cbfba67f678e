"""The moderators' workbench in the admin: the image page and the reports queue (admin_images), the rater page
and the history of acts (admin_raters). Every act goes through moderation.actions."""

from ratings_site.moderation import admin_images, admin_raters  # noqa: F401  (registers them)
