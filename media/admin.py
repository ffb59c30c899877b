from django.contrib import admin

from media.models import Media


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ("id", "uploader", "tweet_id", "content_type", "width", "height", "size", "created_at")
    list_select_related = ("uploader",)
    list_filter = ("content_type", "created_at")
    search_fields = ("uploader__name", "file")
    raw_id_fields = ("uploader", "tweet")
    readonly_fields = ("content_type", "width", "height", "size", "created_at")
    show_full_result_count = False
