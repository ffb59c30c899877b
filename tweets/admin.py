from django.contrib import admin

from tweets.models import Like, Tweet


@admin.register(Tweet)
class TweetAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "short_content", "likes_count", "created_at", "hidden_at")
    list_select_related = ("author",)
    list_filter = ("created_at",)
    search_fields = ("content",)
    raw_id_fields = ("author",)
    readonly_fields = ("likes_count", "created_at")
    show_full_result_count = False

    @admin.display(description="content")
    def short_content(self, obj: Tweet) -> str:
        return obj.content[:80]


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "tweet_id", "created_at")
    list_select_related = ("user",)
    raw_id_fields = ("user", "tweet")
    show_full_result_count = False
