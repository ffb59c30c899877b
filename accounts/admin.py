from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiKey, Follow, User
from moderation import services as moderation
from moderation.admin_actions import SuspendUntilForm, confirm_action
from moderation.models import Report, ReportedTweet
from moderation.selectors import count_subquery
from tweets.models import Tweet
from tweets.services import likers_forget_user

# Only a superuser may hand out these; for anyone else they are shown read-only.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspended"
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", "Suspended now"), ("no", "Not suspended")]

    def queryset(self, request, queryset):
        suspended = Q(suspended_until__gt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(suspended)
        if self.value() == "no":
            return queryset.exclude(suspended)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "id",
        "username",
        "name",
        "email",
        "is_active",
        "suspended_until",
        "tweets",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_active", SuspendedFilter, "is_staff", "is_superuser", "date_joined")
    search_fields = ("username", "name", "email")
    ordering = ("-id",)
    show_full_result_count = False
    # Suspensions and deactivations go through the actions, which ask for a reason and audit.
    readonly_fields = ("is_active", "suspended_until", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("name", "email")}),
        ("Moderation", {"fields": ("is_active", "suspended_until")}),
        ("Permissions", {"fields": PRIVILEGE_FIELDS}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "email", "password1", "password2")}),
    )
    actions = (
        "suspend_until",
        "suspend_indefinitely",
        "unsuspend",
        "deactivate",
        "reactivate",
        "replace_api_key",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tweets_count=count_subquery(Tweet, "author"))

    @admin.display(description="tweets", ordering="tweets_count")
    def tweets(self, obj):
        return obj.tweets_count

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None or request.user.is_superuser:
            return fields
        return (*fields, *PRIVILEGE_FIELDS)

    def has_change_permission(self, request, obj=None) -> bool:
        # A moderator must not be able to take over (or lock out) another staff account.
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Feeds show likers by name from a cache; drop the lists this user appears in.
            likers_forget_user(user_id=obj.pk)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is impersonation; only superusers may.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def _for_each(self, request, queryset, *, title, service, done, form_class=None, **kwargs):
        """The confirmation page, then `service` for each selected user, skipping staff for non-superusers."""

        def apply(data):
            users = [user for user in queryset if self.has_change_permission(request, user)]
            extra = {key: data[key] for key in ("until",) if key in data}
            for user in users:
                service(moderator=request.user, user=user, reason=data["reason"], **extra, **kwargs)
            self.message_user(request, f"{done}: {', '.join(map(str, users)) or 'nobody'}.", messages.SUCCESS)
            skipped = len(queryset) - len(users)
            if skipped:
                self.message_user(request, f"Skipped {skipped} staff account(s).", messages.WARNING)

        return confirm_action(
            self,
            request,
            queryset,
            title=title,
            apply=apply,
            **({"form_class": form_class} if form_class else {}),
        )

    @admin.action(description="Suspend until a date and time", permissions=["change"])
    def suspend_until(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Suspend until",
            service=moderation.user_suspend,
            done="Suspended",
            form_class=SuspendUntilForm,
        )

    @admin.action(description="Suspend indefinitely", permissions=["change"])
    def suspend_indefinitely(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Suspend indefinitely",
            service=moderation.user_suspend,
            done="Suspended indefinitely",
            indefinitely=True,
        )

    @admin.action(description="Lift the suspension", permissions=["change"])
    def unsuspend(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Lift the suspension",
            service=moderation.user_unsuspend,
            done="Unsuspended",
        )

    @admin.action(description="Deactivate (api refuses their key)", permissions=["change"])
    def deactivate(self, request, queryset):
        return self._for_each(
            request, queryset, title="Deactivate", service=moderation.user_deactivate, done="Deactivated"
        )

    @admin.action(description="Reactivate (active, suspension lifted)", permissions=["change"])
    def reactivate(self, request, queryset):
        return self._for_each(
            request, queryset, title="Reactivate", service=moderation.user_reactivate, done="Reactivated"
        )

    @admin.action(description="Replace the api key", permissions=["change"])
    def replace_api_key(self, request, queryset):
        def apply(data):
            for user in queryset:
                if not self.has_change_permission(request, user):
                    continue
                key = moderation.api_key_replace(moderator=request.user, user=user, reason=data["reason"])
                self.message_user(
                    request,
                    f"New api key for {user}: {key} (shown only this once; the old key no longer works).",
                    messages.SUCCESS,
                )

        return confirm_action(
            self,
            request,
            queryset,
            title="Replace the api key",
            apply=apply,
            warning="The current key stops working immediately.",
        )

    def get_deleted_objects(self, objs, request):
        # Reports and queue entries are read-only in the admin, yet they must go with a deleted
        # account (moderation.user_delete keeps the queue's counters right): without this, a
        # user who reported or was reported could not be deleted at all.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        exempt = {Report._meta.verbose_name, ReportedTweet._meta.verbose_name}
        return deleted, counts, perms_needed - exempt, protected

    def delete_model(self, request, obj):
        moderation.user_delete(moderator=request.user, user=obj, reason="Deleted in the admin.")

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)


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
