from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from media.models import Media
from moderation import services
from moderation.admin_actions import (
    SUSPENSION_DURATIONS,
    SuspendForDurationForm,
    author_links,
    confirm_action,
    media_thumbnails,
)
from moderation.models import AuditEntry, Report, ReportedTweet


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
                Prefetch("tweet__media", queryset=Media.objects.order_by("position")),
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
            media_thumbnails(tweet.media.all()),
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
        def apply(data):
            closed = sum(
                services.report_dismiss(moderator=request.user, tweet=entry.tweet, reason=data["reason"])
                for entry in queryset.select_related("tweet")
            )
            self.message_user(request, f"Dismissed {closed} open report(s).", messages.SUCCESS)

        return confirm_action(self, request, queryset, title="Dismiss the reports", apply=apply)

    @admin.action(description="Hide the tweets", permissions=["change"])
    def hide_tweets(self, request, queryset):
        def apply(data):
            hidden = sum(
                services.tweet_hide(moderator=request.user, tweet=entry.tweet, reason=data["reason"])
                for entry in queryset.select_related("tweet")
            )
            self.message_user(request, f"Hid {hidden} tweet(s); their reports are closed.", messages.SUCCESS)

        return confirm_action(self, request, queryset, title="Hide the tweets", apply=apply)

    @admin.action(description="Hide the tweets and suspend their authors", permissions=["change"])
    def hide_tweets_and_suspend_authors(self, request, queryset):
        def apply(data):
            label, duration = SUSPENSION_DURATIONS[data["duration"]]
            tweets = [entry.tweet for entry in queryset.select_related("tweet__author")]
            for tweet in tweets:
                services.tweet_hide(moderator=request.user, tweet=tweet, reason=data["reason"])
            authors = {tweet.author_id: tweet.author for tweet in tweets}.values()
            for author in authors:
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
            names = ", ".join(str(author) for author in authors)
            self.message_user(
                request,
                f"Hid {len(tweets)} tweet(s) and suspended {names} ({label.lower()}).",
                messages.SUCCESS,
            )

        return confirm_action(
            self,
            request,
            queryset,
            title="Hide the tweets and suspend their authors",
            apply=apply,
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

    list_display = ("created_at", "moderator", "action", "target", "reason")
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

    @admin.display(description="target")
    def target(self, obj):
        targets = [
            (reverse(f"admin:{view}", args=[pk]), kind, pk)
            for view, kind, pk in (
                ("accounts_user_change", "user", obj.target_user_id),
                ("tweets_tweet_change", "tweet", obj.target_tweet_id),
            )
            if pk
        ]
        return format_html(
            "{}<br>{}", format_html_join(" · ", '<a href="{}">{} #{}</a>', targets), obj.target_repr
        )
