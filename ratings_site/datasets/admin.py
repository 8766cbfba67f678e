import posixpath
import string
import uuid

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.html import format_html
from django.utils.text import Truncator

from ratings_site.admin_paging import BigListMixin, DefaultChoiceFilter
from ratings_site.datasets.fetch import validate_image_url
from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.pictures import ALLOWED_FORMATS, ENDINGS, PICTURE_ENDINGS, TooManyPixelsError, open_picture
from ratings_site.datasets.services import recount_images, refresh_queue, set_flags

# What a moderator changes in an image's form: the flags the actions set too.
MODERATED_FLAGS = ["hidden", "nsfw", "broken"]

# The shortest start of a public id searched as an id: its first group (a word of 8 letters a-f is rare).
ID_PREFIX_MIN_DIGITS = 8


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


def _flag_action(description: str, **flags: bool):
    def action(modeladmin, request, queryset):
        changed = set_flags(queryset, **flags)
        modeladmin.message_user(request, f"{changed} images updated.", messages.SUCCESS)

    action.short_description = description
    action.__name__ = "flag_" + "_".join(f"{k}_{v}" for k, v in flags.items())
    return action


class InQueueFilter(admin.SimpleListFilter):
    title = "in the queue"
    parameter_name = "in_queue"

    def lookups(self, request, model_admin):
        return [("1", "Yes"), ("0", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(queue_entry__isnull=self.value() == "0")
        return queryset


class CheckImageFilter(DefaultChoiceFilter):
    """Check images (captchas) stay out of the list unless asked for: moderators work on the images raters rate."""

    title = "check image"
    parameter_name = "check"
    default = "no"

    def lookups(self, request, model_admin):
        return [("no", "No"), ("yes", "Yes"), ("all", "All")]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(is_captcha=self.value() == "yes")


def public_id_prefix(term: str, *, field: str = "public_id") -> Q | None:
    """Rows whose public id starts with `term` (ID_PREFIX_MIN_DIGITS to 32 hex digits, dashes anywhere), or None
    when `term` is no such start.

    A range of ids rather than a text match: a uuid sorts as its hex digits on PostgreSQL (a uuid column) and on
    SQLite (32 hex characters), so the public id's unique index answers it at any size.
    """
    digits = term.strip().replace("-", "").lower()
    if not ID_PREFIX_MIN_DIGITS <= len(digits) <= 32 or not set(digits) <= set(string.hexdigits):
        return None
    lowest = Q(**{f"{field}__gte": uuid.UUID(digits.ljust(32, "0"))})
    if set(digits) == {"f"}:
        return lowest
    after = f"{int(digits, 16) + 1:0{len(digits)}x}"
    return lowest & Q(**{f"{field}__lt": uuid.UUID(after.ljust(32, "0"))})


class ImageIdSearchMixin:
    """A ModelAdmin's search that takes the start of an image's public id (`public_id_prefix`, on the field
    `public_id_field`) as an id, and any other words as a search of `search_fields`."""

    public_id_field = "public_id"

    def get_search_results(self, request, queryset, search_term):
        by_id = public_id_prefix(search_term, field=self.public_id_field)
        if by_id is not None:
            return queryset.filter(by_id), False
        return super().get_search_results(request, queryset, search_term)


class ImageAdminForm(forms.ModelForm):
    """The image form (a superuser's: moderators change only the flags, `ImageAdmin.get_readonly_fields`). Its URL
    follows the importer's rule (`datasets.fetch.check_image_url`): the model's URLField alone takes ftp:// and
    internal addresses, which the importer refuses and the predictor cannot fetch. Its file must be a picture the
    site serves (`datasets.pictures.ALLOWED_FORMATS`), stored under its format's ending."""

    class Meta:
        model = Image
        fields = "__all__"

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url:  # blank: an image stored as a file
            validate_image_url(url)
        return url

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file; a stored one was checked when it came
            kind = _checked_picture(upload)
            stem, ending = posixpath.splitext(upload.name)
            if PICTURE_ENDINGS.get(ending.lower()) != kind:
                upload.name = stem + ENDINGS[kind]  # look.html holding a JPEG is stored as look.jpg
        return upload


def _checked_picture(upload: UploadedFile) -> str:
    """The format of an uploaded picture, decoded whole within MAX_IMAGE_PIXELS; ValidationError otherwise."""
    allowed = ", ".join(ALLOWED_FORMATS)
    try:
        with open_picture(upload) as picture:
            kind = picture.format
            picture.load()
    except TooManyPixelsError as error:
        raise forms.ValidationError(f"This picture is too large: {error}.") from None
    except Exception:  # Pillow raises many kinds for what it cannot read
        raise forms.ValidationError(f"This file is not a picture the site serves ({allowed}).") from None
    finally:
        upload.seek(0)
    return kind


@admin.register(Image)
class ImageAdmin(ImageIdSearchMixin, BigListMixin, admin.ModelAdmin):
    """The images, most reported first, then newest (index `image_by_reports`); check images only when asked for.
    Narrow enough for a 1366 px screen: the id's first group, the caption cut short, the flags in one column."""

    form = ImageAdminForm
    list_display = ["thumbnail", "short_id", "short_caption", "dataset", "ratings", "scores", "reports", "flags"]
    list_filter = [CheckImageFilter, "dataset", InQueueFilter, "hidden", "nsfw", "broken"]
    search_fields = ["caption", "url"]  # and the start of the public id (ImageIdSearchMixin)
    search_help_text = "An image's id (at least its first 8 characters), or words of its caption or URL."
    ordering = ["-reports_count", "-pk"]
    list_select_related = ["dataset", "queue_entry"]
    autocomplete_fields = ["dataset"]
    readonly_fields = [
        "preview",
        "public_id",
        "ratings_count",
        "rating_sum",
        "artifacts_count",
        "artifacts_sum",
        "reports_count",
        "in_queue",
        "priority",
        "dedupe_key",
        "created_at",
    ]
    # Hiding and NSFW are moderators' acts, recorded and undoable (moderation.admin_images adds them); a broken
    # image is a fact about its file, not a judgement.
    actions = [_flag_action("Mark broken", broken=True), _flag_action("Mark not broken", broken=False)]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_fields(self, request, obj=None):
        if not _edits_whole_images(request):  # the picture, the flags, then what the moderator only reads
            readonly = [name for name in self.get_readonly_fields(request, obj) if name != "preview"]
            return ["preview", *MODERATED_FLAGS, *readonly]
        fields = [name for name in super().get_fields(request, obj) if name != "preview"]
        return ["preview", *fields] if obj is not None else fields  # the picture first: it is what is judged

    def get_readonly_fields(self, request, obj=None):
        """A moderator changes the flags (and uses the actions), nothing else: not the file, which the site serves,
        nor the check image's answer, the dataset, URL or source. Superusers change everything."""
        readonly = list(super().get_readonly_fields(request, obj))
        if _edits_whole_images(request):
            return readonly
        fields = [field.name for field in Image._meta.fields if field.editable and field.name not in MODERATED_FLAGS]
        return [*readonly, *(name for name in fields if name not in readonly)]

    @admin.display(description="Mean")
    def scores(self, obj: Image):
        """The raters' mean (moderation's image admin adds the predictor's score beside it)."""
        return f"{obj.average_rating:.2f}" if obj.average_rating is not None else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_queue(Image.objects.filter(pk=obj.pk))  # flags edited in the form move it in or out
        recount_images(Dataset.objects.filter(pk=obj.dataset_id))

    @admin.display(description="Image")
    def thumbnail(self, obj: Image):
        return format_html('<img src="{}" alt="" class="image-thumbnail" loading="lazy">', obj.src)

    @admin.display(description="Id", ordering="public_id")
    def short_id(self, obj: Image):
        return format_html('<span class="image-id" title="{}">{}</span>', obj.public_id, str(obj.public_id)[:8])

    @admin.display(description="Caption")
    def short_caption(self, obj: Image):
        return Truncator(obj.caption).chars(60)

    @admin.display(description="Ratings", ordering="ratings_count")
    def ratings(self, obj: Image):
        return obj.ratings_count

    @admin.display(description="Reports", ordering="reports_count")
    def reports(self, obj: Image):
        return obj.reports_count

    @admin.display(description="Flags")
    def flags(self, obj: Image):
        shown = {"hidden": obj.hidden, "NSFW": obj.nsfw, "broken": obj.broken, "check image": obj.is_captcha}
        return ", ".join(name for name, on in shown.items() if on) or "—"

    @admin.display(description="Image")
    def preview(self, obj: Image):
        caption = obj.caption or "No caption"
        return format_html('<a href="{0}"><img src="{0}" alt="{1}" class="image-preview"></a>', obj.src, caption)

    @admin.display(description="In the queue", boolean=True)
    def in_queue(self, obj: Image):
        return _queue_entry(obj) is not None

    @admin.display(description="Priority", ordering="queue_entry__priority")
    def priority(self, obj: Image):
        entry = _queue_entry(obj)
        return f"{entry.priority:.3f}" if entry is not None else "—"


def _edits_whole_images(request) -> bool:
    """Local superusers change any field of an image; everyone else (the Horde's moderators) only the flags."""
    return request.user.is_superuser


def _queue_entry(image: Image) -> QueueEntry | None:
    try:
        return image.queue_entry
    except QueueEntry.DoesNotExist:
        return None
