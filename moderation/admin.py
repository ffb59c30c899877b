"""The moderators' console: the moderation queue, reports, the audit log, and the user and tweet
lists whose actions run the audited moderation workflows (which refuse what the actor may not do;
the admin only presents the refusal)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import account_action_allowed, name_clean, user_create, user_create_check
from common.admin import ReasonForm, author_links, bulk_action, media_thumbnails
from common.errors import ChirpError
from common.queries import count_subquery
from moderation import services
from moderation.models import AuditEntry, Report, ReportedTweet
from moderation.selectors import tweet_ids_with_open_reports
from tweets.models import Attachment, Tweet

# How long "hide and suspend the author" suspends for; None means indefinitely.
SUSPENSION_DURATIONS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
    "indefinitely": ("Indefinitely", None),
}
# Account fields the change form saves through moderation.services.user_account_update (audited);
# only a superuser may change the privileges, which are read-only for anyone else.
AUDITED_FIELDS = ("username", "name", "email", *services.PRIVILEGE_FIELDS)
RELATED_FIELDS = ("groups", "user_permissions")
ADMIN_REASON = "Changed in the admin."


# A tweet's images in order, prefetched with the tweets of a page.
_ATTACHMENTS = Attachment.objects.select_related("media").order_by("position")


def _images(tweet: Tweet) -> str:
    """The tweet's thumbnails with their alt texts (attachments prefetched with their media)."""
    attachments = list(tweet.attachments.all())
    return media_thumbnails([a.media for a in attachments], alts=[a.alt for a in attachments])


class SuspendForDurationForm(ReasonForm):
    duration = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SUSPENSION_DURATIONS.items()],
        initial="24h",
        label="Suspend the author for",
    )


class SuspendUntilForm(ReasonForm):
    until = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Suspended until",
        help_text="The suspension ends by itself at this time (UTC).",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return until


class OpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open reports"), ("no", "All resolved")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(open_reports__gt=0)
        if self.value() == "no":
            return queryset.filter(open_reports=0)
        return queryset


def _tweets(count: int) -> str:
    """ "1 tweet", "2 tweets": the admin's messages count what they did in plain words."""
    return ngettext("%(n)s tweet", "%(n)s tweets", count) % {"n": count}


def _open_reports(count: int) -> str:
    return ngettext("%(n)s open report", "%(n)s open reports", count) % {"n": count}


def _skipped_staff(count: int) -> str:
    return ngettext("Skipped %(n)s staff account.", "Skipped %(n)s staff accounts.", count) % {"n": count}


class HiddenFilter(admin.SimpleListFilter):
    title = "hidden"
    parameter_name = "hidden"
    field = "hidden_at"

    def lookups(self, request, model_admin):
        return [("yes", "Hidden"), ("no", "Visible")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class TweetHiddenFilter(HiddenFilter):
    field = "tweet__hidden_at"


@admin.register(ReportedTweet)
class ModerationQueueAdmin(admin.ModelAdmin):
    """One row per reported tweet, open reports first, with what a moderator needs to decide."""

    def changelist_view(self, request, extra_context=None):
        # Django's title would be "Select reported tweet to change": moderators read the queue.
        return super().changelist_view(request, {"title": "Moderation queue", **(extra_context or {})})

    list_display = (
        "tweet_column",
        "author_column",
        "open_reports_column",
        "reports_column",
        "last_reported_at",
    )
    list_display_links = None
    list_filter = (OpenReportsFilter, TweetHiddenFilter)
    search_fields = ("tweet__content", "tweet__author__username", "tweet__author__name")
    list_select_related = ("tweet__author",)
    ordering = ("-open_reports", "-last_reported_at", "-tweet")
    # The counters move with the reports; nothing here is edited by hand.
    readonly_fields = ("tweet", "open_reports", "last_reported_at")
    show_full_result_count = False
    actions = ("dismiss_reports", "hide_tweets", "hide_tweets_and_suspend_authors")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("tweet__attachments", queryset=_ATTACHMENTS),
                Prefetch(
                    "tweet__reports",
                    queryset=Report.objects.filter(status=Report.Status.OPEN)
                    .select_related("reporter")
                    .order_by("created_at"),
                    to_attr="open_report_list",
                ),
            )
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="tweet")
    def tweet_column(self, obj):
        tweet = obj.tweet
        hidden = (
            format_html(' <strong style="color:#ba2121">{}</strong>', "[hidden]") if tweet.hidden_at else ""
        )
        return format_html(
            '<a href="{}">#{}</a>{}<div style="white-space:pre-wrap;max-width:40em">{}</div>{}',
            reverse("admin:tweets_tweet_change", args=[tweet.pk]),
            tweet.pk,
            hidden,
            tweet.content,
            _images(tweet),
        )

    @admin.display(description="author")
    def author_column(self, obj):
        return author_links(obj.tweet.author)

    @admin.display(description="reporters", ordering="open_reports")
    def open_reports_column(self, obj):
        return format_html(
            '<a href="{}?tweet__id__exact={}">{}</a>',
            reverse("admin:moderation_report_changelist"),
            obj.pk,
            obj.open_reports,
        )

    @admin.display(description="open reports")
    def reports_column(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}){}</li>",
                (
                    (
                        report.get_reason_display(),
                        report.reporter.name,
                        f": {report.comment}" * bool(report.comment),
                    )
                    for report in obj.tweet.open_report_list
                ),
            ),
        )

    @admin.action(description="Dismiss the reports (no action on the tweet)", permissions=["change"])
    def dismiss_reports(self, request, queryset):
        return bulk_action(
            self,
            request,
            queryset,
            title="Dismiss the reports",
            objects=lambda: queryset.select_related("tweet"),
            act=lambda entry, data: services.report_dismiss(
                moderator=request.user, tweet=entry.tweet, reason=data["reason"]
            ),
            done=lambda results, data: f"Dismissed {_open_reports(sum(n for _, n in results))}.",
        )

    @admin.action(description="Hide the tweets", permissions=["change"])
    def hide_tweets(self, request, queryset):
        return bulk_action(
            self,
            request,
            queryset,
            title="Hide the tweets",
            objects=lambda: queryset.select_related("tweet__author"),
            act=lambda entry, data: services.tweet_hide(
                moderator=request.user, tweet=entry.tweet, reason=data["reason"]
            ),
            done=lambda results, data: f"Hid {_tweets(len(results))}; their reports are closed.",
        )

    @admin.action(description="Hide the tweets and suspend their authors", permissions=["change"])
    def hide_tweets_and_suspend_authors(self, request, queryset):
        suspended: dict[int, User] = {}

        def act(entry, data):
            tweet = entry.tweet
            services.tweet_hide(moderator=request.user, tweet=tweet, reason=data["reason"])
            author = tweet.author
            if author.pk not in suspended:
                _, duration = SUSPENSION_DURATIONS[data["duration"]]
                # Whole seconds, so the 403 message reads cleanly.
                until = None if duration is None else (timezone.now() + duration).replace(microsecond=0)
                if until is not None and author.is_suspended() and author.suspended_until > until:
                    # Never shorten a longer suspension already in place.
                    until = author.suspended_until
                services.user_suspend(
                    moderator=request.user,
                    user=author,
                    reason=data["reason"],
                    until=until,
                    indefinitely=until is None,
                )
                suspended[author.pk] = author
            return True

        def done(results, data):
            label, _ = SUSPENSION_DURATIONS[data["duration"]]
            authors = {entry.tweet.author_id: entry.tweet.author for entry, _ in results}.values()
            names = ", ".join(map(str, authors))
            return f"Hid {_tweets(len(results))} and suspended {names} ({label.lower()})."

        return bulk_action(
            self,
            request,
            queryset,
            title="Hide the tweets and suspend their authors",
            objects=lambda: queryset.select_related("tweet__author"),
            act=act,
            done=done,
            form_class=SuspendForDurationForm,
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Individual reports, for the record; moderators act on them from the moderation queue."""

    list_display = (
        "id",
        "tweet_link",
        "reporter",
        "reason",
        "comment",
        "status",
        "created_at",
        "resolved_by",
    )
    list_select_related = ("reporter", "resolved_by")
    list_filter = ("status", "reason", "created_at")
    search_fields = ("reporter__username", "reporter__name", "comment")
    raw_id_fields = ("tweet", "reporter", "resolved_by")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="tweet", ordering="tweet_id")
    def tweet_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:tweets_tweet_change", args=[obj.tweet_id]), obj.tweet_id
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Who did what to whom and why. Read-only for everyone, superusers included."""

    list_display = ("created_at", "moderator", "action", "target", "details_column", "reason")
    list_select_related = ("moderator",)
    list_filter = (("moderator", admin.RelatedOnlyFieldListFilter), "action", "created_at")
    search_fields = ("target_repr", "reason", "moderator__username")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # The target's name and username and the post's text as they are now, by id (the entry has
        # no foreign keys, so that it outlives them): one subquery each, no join.
        users = User.objects.filter(pk=OuterRef("target_user_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                target_name=Subquery(users.values("name")[:1]),
                target_username=Subquery(users.values("username")[:1]),
                target_text=Subquery(
                    Tweet.objects.filter(pk=OuterRef("target_tweet_id")).values("content")[:1]
                ),
            )
        )

    @admin.display(description="target")
    def target(self, obj):
        """The person by name and username and the post by its words, each linked; and what was
        recorded at the time (target_repr) for what no longer exists."""
        parts = []
        if obj.target_user_id and obj.target_name is not None:
            parts.append(
                format_html(
                    '<a href="{}"><bdi>{}</bdi> (@{})</a>',
                    reverse("admin:accounts_user_change", args=[obj.target_user_id]),
                    obj.target_name,
                    obj.target_username,
                )
            )
        if obj.target_tweet_id and obj.target_text is not None:
            parts.append(
                format_html(
                    '<a href="{}">“<bdi>{}</bdi>”</a>',
                    reverse("admin:tweets_tweet_change", args=[obj.target_tweet_id]),
                    Truncator(obj.target_text).words(12),
                )
            )
        gone = (obj.target_user_id and obj.target_name is None) or (
            obj.target_tweet_id and obj.target_text is None
        )
        if gone or not parts:
            parts.append(format_html("<bdi>{}</bdi> ({})", obj.target_repr, "as recorded"))
        return format_html_join(" · ", "{}", ((part,) for part in parts))

    @admin.display(description="details")
    def details_column(self, obj):
        return format_html_join(", ", "{}: {}", sorted(obj.details.items()))


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


class UserChangeForm(BaseUserChangeForm):
    """Django's change form, with the one display-name rule (accounts.services.name_clean) beside
    the field rather than a refused save."""

    def clean_name(self):
        try:
            return name_clean(name=self.cleaned_data["name"], user=self.instance)
        except ChirpError as exc:
            raise forms.ValidationError(exc.message) from exc


class UserAddForm(AdminUserCreationForm):
    """Django's add form, plus the account rules of accounts.services.user_create_check beside
    the fields they blame."""

    def clean(self):
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            user_create_check(
                name=cleaned.get("name", ""),
                username=cleaned.get("username"),
                email=cleaned.get("email", ""),
                password=cleaned.get("password1") if cleaned.get("set_usable_password") else None,
            )
        except ChirpError as exc:
            for field, field_messages in (exc.fields or {"": [exc.message]}).items():
                self.add_error(field if field in self.fields else None, field_messages)
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
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
        ("Permissions", {"fields": services.PRIVILEGE_FIELDS}),
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
        if obj is None or (request.user.is_superuser and obj.pk != request.user.pk):
            return fields
        # Nobody changes their own rights, and only a superuser changes anyone's.
        return (*fields, *services.PRIVILEGE_FIELDS)

    def has_change_permission(self, request, obj=None) -> bool:
        # The same rule as every workflow: a moderator must not take over (or lock out) staff.
        if obj is not None and not account_action_allowed(
            actor=request.user, target=obj, own_account_allowed=True
        ):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            self._user_create(request, obj, form)
            return
        # The form has set the new values on `obj` (and holds the related ones); the workflow
        # compares them with the stored ones, saves them and audits each change. Saving the form's
        # related fields afterwards then finds nothing left to change.
        stored = User.objects.get(pk=obj.pk)
        new = {
            field: form.cleaned_data[field] if field in RELATED_FIELDS else getattr(obj, field)
            for field in AUDITED_FIELDS
            if field in form.changed_data
        }
        for field in AUDITED_FIELDS:
            if field not in RELATED_FIELDS:
                setattr(obj, field, getattr(stored, field))
        try:
            services.user_account_update(moderator=request.user, user=obj, reason=ADMIN_REASON, **new)
        except ChirpError as exc:
            raise PermissionDenied(exc.message) from exc

    def _user_create(self, request, obj, form):
        """ "Add user" through accounts.services.user_create, like every other door: the api key is
        made and shown once, the account rules run (the add form showed their refusals already)."""
        password = (
            form.cleaned_data.get("password1") if form.cleaned_data.get("set_usable_password") else None
        )
        user, key = user_create(name=obj.name, username=obj.username, email=obj.email, password=password)
        # The admin goes on with `obj` (its change log, the redirect to the new user's page).
        obj.pk, obj.password, obj._state.adding, obj._state.db = user.pk, user.password, False, user._state.db
        self.message_user(
            request,
            f"{user}'s api key: {key} (shown only this once; it is not stored).",
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is impersonation; only superusers may, through the audited workflow.
        if not request.user.is_superuser:
            raise PermissionDenied
        user = self.get_object(request, unquote(id))
        if user is None or request.method != "POST":
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data.get("set_usable_password", True)
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)
        try:
            services.user_password_set(
                moderator=request.user,
                user=user,
                reason=ADMIN_REASON,
                password=form.cleaned_data["password1"] if usable else None,
            )
        except ChirpError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        done = "Password changed successfully." if usable else "Password-based authentication was disabled."
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk]))

    def _for_each(self, request, queryset, *, title, service, done, form_class=ReasonForm, **kwargs):
        """The confirmation page, then the workflow `service` for each selected user; the workflow
        refuses staff accounts to non-superusers and anyone's own account, and the page says so."""

        def act(user, data):
            extra = {key: data[key] for key in ("until",) if key in data}
            service(moderator=request.user, user=user, reason=data["reason"], **extra, **kwargs)
            return True

        def message(results, data):
            return f"{done}: {', '.join(str(user) for user, _ in results) or 'nobody'}."

        return bulk_action(
            self,
            request,
            queryset,
            title=title,
            act=act,
            done=message,
            form_class=form_class,
            skipped=_skipped_staff,
        )

    @admin.action(description="Suspend until a date and time", permissions=["change"])
    def suspend_until(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Suspend until",
            service=services.user_suspend,
            done="Suspended",
            form_class=SuspendUntilForm,
        )

    @admin.action(description="Suspend indefinitely", permissions=["change"])
    def suspend_indefinitely(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Suspend indefinitely",
            service=services.user_suspend,
            done="Suspended indefinitely",
            indefinitely=True,
        )

    @admin.action(description="Lift the suspension", permissions=["change"])
    def unsuspend(self, request, queryset):
        return self._for_each(
            request,
            queryset,
            title="Lift the suspension",
            service=services.user_unsuspend,
            done="Unsuspended",
        )

    @admin.action(description="Deactivate (api refuses their key)", permissions=["change"])
    def deactivate(self, request, queryset):
        return self._for_each(
            request, queryset, title="Deactivate", service=services.user_deactivate, done="Deactivated"
        )

    @admin.action(description="Reactivate (active, suspension lifted)", permissions=["change"])
    def reactivate(self, request, queryset):
        return self._for_each(
            request, queryset, title="Reactivate", service=services.user_reactivate, done="Reactivated"
        )

    @admin.action(description="Replace the api key", permissions=["change"])
    def replace_api_key(self, request, queryset):
        def act(user, data):
            return services.api_key_replace(moderator=request.user, user=user, reason=data["reason"])

        def message(results, data):
            return " ".join(
                f"New api key for {user}: {key} (shown only this once; the old key no longer works)."
                for user, key in results
            )

        return bulk_action(
            self,
            request,
            queryset,
            title="Replace the api key",
            act=act,
            done=message,
            warning="The current key stops working immediately.",
            skipped=_skipped_staff,
        )

    def get_deleted_objects(self, objs, request):
        # Reports and queue entries are read-only in the admin, yet they must go with a deleted
        # account (moderation.user_delete keeps the queue's counters right): without this, a
        # user who reported or was reported could not be deleted at all.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        exempt = {Report._meta.verbose_name, ReportedTweet._meta.verbose_name}
        return deleted, counts, perms_needed - exempt, protected

    def delete_model(self, request, obj):
        try:
            services.user_delete(moderator=request.user, user=obj, reason="Deleted in the admin.")
        except ChirpError as exc:
            raise PermissionDenied(exc.message) from exc

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)


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

    list_display = (
        "id",
        "author_column",
        "tweet",
        "answers",
        "likes_count",
        "open_reports",
        "created_at",
        "hidden_at",
    )
    # `moderation` is the tweet's row in the moderation queue, if it was ever reported.
    list_select_related = ("author", "moderation")
    list_filter = (HiddenFilter, HasOpenReportsFilter, "created_at")
    search_fields = ("content",)
    raw_id_fields = ("author",)
    readonly_fields = (
        "author",
        "content",
        "answers",
        "likes_count",
        "created_at",
        "edited_at",
        "earlier_texts",
        "hidden_at",
        "images",
    )
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("hide_tweets", "unhide_tweets")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("attachments", queryset=_ATTACHMENTS))
            # What a reply answers, in the list's one query (a subquery on the primary key).
            .annotate(
                answers_content=Subquery(Tweet.objects.filter(pk=OuterRef("in_reply_to")).values("content"))
            )
        )

    @admin.display(description="in reply to")
    def answers(self, obj):
        if obj.in_reply_to_id is None:
            return "-"
        if obj.answers_content is None:
            return f"#{obj.in_reply_to_id} (deleted)"
        url = reverse("admin:tweets_tweet_change", args=[obj.in_reply_to_id])
        return format_html('<a href="{}">#{}</a>: {}', url, obj.in_reply_to_id, obj.answers_content[:80])

    @admin.display(description="earlier texts (newest first)")
    def earlier_texts(self, obj):
        edits = obj.edits.order_by("-id").values_list("edited_at", "content")
        return (
            format_html_join("", '<div style="white-space:pre-wrap;max-width:40em">{}: {}</div>', edits)
            or "-"
        )

    def has_add_permission(self, request) -> bool:
        # Tweets are posted through the api, which validates them and attaches their media.
        return False

    @admin.display(description="tweet")
    def tweet(self, obj):
        return format_html(
            '<div style="white-space:pre-wrap;max-width:40em">{}</div>{}',
            obj.content[:280],
            _images(obj),
        )

    @admin.display(description="images")
    def images(self, obj):
        return _images(obj)

    @admin.display(description="author", ordering="author")
    def author_column(self, obj):
        return author_links(obj.author)

    @admin.display(description="open reports")
    def open_reports(self, obj):
        entry = getattr(obj, "moderation", None)
        return entry.open_reports if entry else 0

    @admin.action(description="Hide the tweets", permissions=["change"])
    def hide_tweets(self, request, queryset):
        return bulk_action(
            self,
            request,
            queryset,
            title="Hide the tweets",
            objects=lambda: queryset.select_related("author"),
            act=lambda tweet, data: services.tweet_hide(
                moderator=request.user, tweet=tweet, reason=data["reason"]
            ),
            done=lambda results, data: f"Hid {_tweets(len(results))}.",
        )

    @admin.action(description="Unhide the tweets", permissions=["change"])
    def unhide_tweets(self, request, queryset):
        return bulk_action(
            self,
            request,
            queryset,
            title="Unhide the tweets",
            objects=lambda: queryset.select_related("author"),
            act=lambda tweet, data: services.tweet_unhide(
                moderator=request.user, tweet=tweet, reason=data["reason"]
            ),
            done=lambda results, data: f"Unhid {_tweets(len(results))}; they are back in feeds.",
        )

    # Deleting goes through the moderation service so the audit log keeps the text.
    def delete_model(self, request, obj):
        try:
            services.tweet_delete(moderator=request.user, tweet=obj, reason="Deleted in the admin.")
        except ChirpError as exc:
            raise PermissionDenied(exc.message) from exc

    def delete_queryset(self, request, queryset):
        for tweet in queryset.select_related("author"):
            self.delete_model(request, tweet)
