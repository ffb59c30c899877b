from django.contrib import admin

from tweets.models import Like
from tweets.services import likes_delete

# The tweet list and its hide/unhide/delete actions are in moderation/admin.py: they run the audited
# moderation workflows, which live above tweets.


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
