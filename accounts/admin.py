from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import ApiKey, Follow, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "id",
        "username",
        "name",
        "email",
        "is_active",
        "is_staff",
        "suspended_until",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username", "name", "email")
    ordering = ("-id",)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("name", "email")}),
        ("Moderation", {"fields": ("is_active", "suspended_until")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "email", "password1", "password2")}),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "prefix", "created_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__name", "prefix")
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Keys are issued by `createuser` or the api, which can show the secret once.
        return False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("id", "follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    search_fields = ("follower__name", "followee__name")
    raw_id_fields = ("follower", "followee")
    show_full_result_count = False
