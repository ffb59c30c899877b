from django.contrib import admin

from accounts.models import ApiKey, Follow

# The user list and its actions (the moderators' console) are in moderation/admin.py: they run
# the audited moderation workflows, which live above accounts.


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "prefix", "created_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__name", "prefix")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "prefix", "created_at", "revoked_at")
    ordering = ("-id",)
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Keys are issued by `createuser` or the "Replace the api key" action, which show the secret once.
        return False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("id", "follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    list_filter = ("created_at",)
    search_fields = ("follower__name", "followee__name")
    raw_id_fields = ("follower", "followee")
    ordering = ("-id",)
    show_full_result_count = False
