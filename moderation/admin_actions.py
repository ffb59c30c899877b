"""Pieces every moderation admin shares: the reason-asking confirmation page, its forms, and
small HTML helpers (thumbnails, links to an author's tweets)."""

from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

# How long "hide and suspend the author" suspends for; None means indefinitely.
SUSPENSION_DURATIONS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
    "indefinitely": ("Indefinitely", None),
}
# The confirmation page lists this many of the selected objects, then "and N more".
CONFIRM_LIST_LIMIT = 50


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Recorded in the audit log with your name.",
    )


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


def confirm_action(
    modeladmin: admin.ModelAdmin,
    request,
    queryset,
    *,
    title: str,
    apply: Callable[[dict], None],
    form_class: type[forms.Form] = ReasonForm,
    warning: str = "",
):
    """Show an intermediate page asking for a reason (like Django's delete confirmation); once
    submitted and valid, run `apply(cleaned_data)` and return to the changelist."""
    form = form_class(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        apply(form.cleaned_data)
        return None
    objects = list(queryset[: CONFIRM_LIST_LIMIT + 1])
    request.current_app = modeladmin.admin_site.name
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "warning": warning,
        "form": form,
        "objects": objects[:CONFIRM_LIST_LIMIT],
        "more": len(objects) > CONFIRM_LIST_LIMIT,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_name": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/moderation/confirm_action.html", context)


def media_thumbnails(media_list) -> str:
    """Inline thumbnails of a tweet's images, each linking to the full image."""
    return format_html_join(
        " ",
        '<a href="{}" target="_blank"><img src="{}" alt="" style="max-height:80px;max-width:120px"></a>',
        ((media.file.url, (media.thumbnail or media.file).url) for media in media_list if media.file),
    )


def author_links(author) -> str:
    """The author's account, and a link to all their tweets in the admin."""
    return format_html(
        '<a href="{}">{}</a><br><a href="{}?author__id__exact={}">all their tweets</a>',
        reverse("admin:accounts_user_change", args=[author.pk]),
        author,
        reverse("admin:tweets_tweet_changelist"),
        author.pk,
    )
