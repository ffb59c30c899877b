"""Admin pieces every console shares: the reason-asking confirmation page, the one bulk-action
runner that presents refusals, and small HTML helpers (thumbnails, links to an author's tweets)."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from common.errors import ChirpError

# The confirmation page lists this many of the selected objects, then "and N more".
CONFIRM_LIST_LIMIT = 50


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Recorded in the audit log with your name.",
    )


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
    return TemplateResponse(request, "admin/common/confirm_action.html", context)


def bulk_action(
    modeladmin: admin.ModelAdmin,
    request,
    queryset,
    *,
    title: str,
    act: Callable[[Any, dict], object],
    done: Callable[[Sequence, dict], str],
    objects: Callable[[], Iterable] | None = None,
    form_class: type[forms.Form] = ReasonForm,
    warning: str = "",
    skipped: Callable[[int], str] | None = None,
):
    """The confirmation page, then `act(obj, cleaned_data)` for each selected object (or each of
    `objects()`), each in its own transaction.

    A domain error from `act` (the workflow refusing, e.g. a moderator acting on a staff account)
    skips that object and undoes whatever `act` did to it; the admin then shows one warning per
    reason naming the skipped objects. `done(results, cleaned_data)` is the success message, given
    the (object, result) pairs where `act` returned a true value (it changed something). With a
    `skipped(count)`, a first warning also counts the skipped objects ("Skipped 2 staff accounts.").
    """

    def apply(data):
        results, refused = [], defaultdict(list)
        for obj in objects() if objects is not None else queryset:
            try:
                with transaction.atomic():
                    result = act(obj, data)
            except ChirpError as exc:
                refused[exc.message].append(obj)
                continue
            if result:
                results.append((obj, result))
        modeladmin.message_user(request, done(results, data), messages.SUCCESS)
        if refused and skipped is not None:
            modeladmin.message_user(request, skipped(sum(map(len, refused.values()))), messages.WARNING)
        for reason, left_out in refused.items():
            names = ", ".join(map(str, left_out))
            modeladmin.message_user(request, f"Not applied to {names}: {reason}", messages.WARNING)

    return confirm_action(
        modeladmin, request, queryset, title=title, apply=apply, form_class=form_class, warning=warning
    )


def media_thumbnails(media_list, alts: list[str] | None = None) -> str:
    """Inline thumbnails of a tweet's images, each linking to the full image; with `alts` (the
    author's descriptions, in the same order: content to moderate too) each is shown below it."""
    alts = alts or [""] * len(media_list)
    return format_html_join(
        " ",
        '<a href="{}" target="_blank"><img src="{}" alt="{}" style="max-height:80px;max-width:120px"></a>{}',
        (
            (
                media.file.url,
                media.thumbnail.url,
                alt,
                format_html("<br><small>alt: <bdi>{}</bdi></small>", alt) if alt else "",
            )
            for media, alt in zip(media_list, alts, strict=True)
            if media.file
        ),
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
