import posixpath

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FloatField, OuterRef, Subquery
from django.utils.html import format_html

from ratings_site.datasets.fetch import validate_image_url
from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.pictures import ALLOWED_FORMATS, ENDINGS, PICTURE_ENDINGS, TooManyPixelsError, open_picture
from ratings_site.datasets.services import recount_images, refresh_queue, set_flags
from ratings_site.predictor.models import AestheticScore, PredictorVersion

# What a moderator changes in an image's form: the flags the actions set too.
MODERATED_FLAGS = ["hidden", "nsfw", "broken"]


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


class AestheticScoreInline(admin.TabularInline):
    model = AestheticScore
    fields = ["version", "score", "uncertainty", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class InQueueFilter(admin.SimpleListFilter):
    title = "in the queue"
    parameter_name = "in_queue"

    def lookups(self, request, model_admin):
        return [("1", "Yes"), ("0", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(queue_entry__isnull=self.value() == "0")
        return queryset


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
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = [
        "thumbnail", "public_id", "dataset", "ratings_count", "average", "predicted", "reports_count",
        "priority", "in_queue", "hidden", "nsfw", "broken", "is_captcha",
    ]
    list_filter = ["dataset", InQueueFilter, "hidden", "nsfw", "broken", "is_captcha"]
    search_fields = ["=public_id", "caption", "url"]
    list_select_related = ["dataset", "queue_entry"]
    readonly_fields = [
        "preview", "public_id", "ratings_count", "rating_sum", "artifacts_count", "artifacts_sum", "reports_count",
        "in_queue", "priority", "dedupe_key", "created_at",
    ]
    show_full_result_count = False  # no COUNT(*) over millions of rows
    actions = [
        _flag_action("Hide from raters and the export", hidden=True),
        _flag_action("Unhide", hidden=False),
        _flag_action("Mark NSFW", nsfw=True),
        _flag_action("Mark broken", broken=True),
    ]

    inlines = [AestheticScoreInline]

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

    def get_queryset(self, request):
        # The current predictor's score beside the human mean, in the same query (no N+1).
        version = PredictorVersion.current()
        score = AestheticScore.objects.filter(version=version, image=OuterRef("pk")).values("score")[:1]
        return super().get_queryset(request).annotate(predicted_score=Subquery(score, output_field=FloatField()))

    @admin.display(description="Predicted", ordering="predicted_score")
    def predicted(self, obj: Image):
        value = getattr(obj, "predicted_score", None)
        return f"{value:.2f}" if value is not None else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_queue(Image.objects.filter(pk=obj.pk))  # flags edited in the form move it in or out
        recount_images(Dataset.objects.filter(pk=obj.dataset_id))

    @admin.display(description="Image")
    def thumbnail(self, obj: Image):
        return format_html('<img src="{}" alt="" class="image-thumbnail" loading="lazy">', obj.src)

    @admin.display(description="Image")
    def preview(self, obj: Image):
        caption = obj.caption or "No caption"
        return format_html('<a href="{0}"><img src="{0}" alt="{1}" class="image-preview"></a>', obj.src, caption)

    @admin.display(description="Mean rating")
    def average(self, obj: Image):
        return f"{obj.average_rating:.2f}" if obj.average_rating is not None else "—"

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
