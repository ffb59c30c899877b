from django.contrib import admin

from common.admin import media_thumbnails
from media.images import ALLOWED_FORMATS
from media.models import Media
from media.services import media_delete


class ContentTypeFilter(admin.SimpleListFilter):
    """The accepted formats are fixed, so the choices need no DISTINCT scan of the table."""

    title = "content type"
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        return [(content_type, content_type) for content_type, _extension in ALLOWED_FORMATS.values()]

    def queryset(self, request, queryset):
        return queryset.filter(content_type=self.value()) if self.value() else queryset


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "preview",
        "uploader",
        "claimed_at",
        "content_type",
        "width",
        "height",
        "size",
        "created_at",
    )
    list_select_related = ("uploader",)
    list_filter = (ContentTypeFilter, "created_at")
    search_fields = ("uploader__name", "file")
    raw_id_fields = ("uploader",)
    readonly_fields = ("preview", "claimed_at", "content_type", "width", "height", "size", "created_at")
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="preview")
    def preview(self, obj):
        return media_thumbnails([obj])

    # Through the service, so the stored files go with the rows (after the deletion commits).
    def delete_model(self, request, obj):
        media_delete(media=obj)

    def delete_queryset(self, request, queryset):
        for media in queryset:
            media_delete(media=media)
