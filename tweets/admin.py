from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils.html import format_html

from media.models import Media
from moderation import services as moderation
from moderation.admin import HiddenFilter
from moderation.admin_actions import author_links, confirm_action, media_thumbnails
from moderation.selectors import tweet_ids_with_open_reports
from tweets.models import Like, Tweet
from tweets.services import likes_delete


class HasOpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Has open reports")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            # A list of ids, not a join or EXISTS: PostgreSQL then fetches those few rows by
            # primary key instead of walking a million tweets newest-first to find them.
            return queryset.filter(pk__in=tweet_ids_with_open_reports())
        return queryset


@admin.register(Tweet)
class TweetAdmin(admin.ModelAdmin):
    """All tweets. Moderators hide and unhide here; the text itself is not editable."""

    list_display = ("id", "author_column", "tweet", "likes_count", "open_reports", "created_at", "hidden_at")
    # `moderation` is the tweet's row in the moderation queue, if it was ever reported.
    list_select_related = ("author", "moderation")
    list_filter = (HiddenFilter, HasOpenReportsFilter, "created_at")
    search_fields = ("content",)
    raw_id_fields = ("author",)
    readonly_fields = ("author", "content", "likes_count", "created_at", "hidden_at", "images")
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("hide_tweets", "unhide_tweets")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("media", queryset=Media.objects.order_by("position")))
        )

    def has_add_permission(self, request) -> bool:
        # Tweets are posted through the api, which validates them and attaches their media.
        return False

    @admin.display(description="tweet")
    def tweet(self, obj):
        return format_html(
            '<div style="white-space:pre-wrap;max-width:40em">{}</div>{}',
            obj.content[:280],
            media_thumbnails(obj.media.all()),
        )

    @admin.display(description="images")
    def images(self, obj):
        return media_thumbnails(obj.media.all())

    @admin.display(description="author", ordering="author")
    def author_column(self, obj):
        return author_links(obj.author)

    @admin.display(description="open reports")
    def open_reports(self, obj):
        entry = getattr(obj, "moderation", None)
        return entry.open_reports if entry else 0

    @admin.action(description="Hide the tweets", permissions=["change"])
    def hide_tweets(self, request, queryset):
        def apply(data):
            hidden = sum(
                moderation.tweet_hide(moderator=request.user, tweet=tweet, reason=data["reason"])
                for tweet in queryset
            )
            self.message_user(request, f"Hid {hidden} tweet(s).", messages.SUCCESS)

        return confirm_action(self, request, queryset, title="Hide the tweets", apply=apply)

    @admin.action(description="Unhide the tweets", permissions=["change"])
    def unhide_tweets(self, request, queryset):
        def apply(data):
            shown = sum(
                moderation.tweet_unhide(moderator=request.user, tweet=tweet, reason=data["reason"])
                for tweet in queryset
            )
            self.message_user(request, f"Unhid {shown} tweet(s); they are back in feeds.", messages.SUCCESS)

        return confirm_action(self, request, queryset, title="Unhide the tweets", apply=apply)

    # Deleting goes through the moderation service so the audit log keeps the text.
    def delete_model(self, request, obj):
        moderation.tweet_delete(moderator=request.user, tweet=obj, reason="Deleted in the admin.")

    def delete_queryset(self, request, queryset):
        for tweet in queryset:
            self.delete_model(request, tweet)


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "tweet_id", "created_at")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    search_fields = ("user__username", "user__name")
    raw_id_fields = ("user", "tweet")
    ordering = ("-id",)
    show_full_result_count = False

    # A like is a user's own act: it can be removed here (spam), never forged or edited. Removal
    # goes through likes_delete, which moves likes_count with the rows.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        likes_delete(likes=Like.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        likes_delete(likes=queryset)
