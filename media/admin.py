from django.contrib import admin

from media.models import Media
from moderation.admin_actions import media_thumbnails


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "preview",
        "uploader",
        "tweet_id",
        "content_type",
        "width",
        "height",
        "size",
        "created_at",
    )
    list_select_related = ("uploader",)
    list_filter = ("content_type", "created_at")
    search_fields = ("uploader__name", "file")
    raw_id_fields = ("uploader", "tweet")
    readonly_fields = ("preview", "content_type", "width", "height", "size", "created_at")
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="preview")
    def preview(self, obj):
        return media_thumbnails([obj])
