"""The pages' forms: they take input in; the services decide what is allowed."""

import uuid
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.forms.renderers import Jinja2
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from api.fields import MAX_ID
from moderation.models import Report
from tweets.models import ALT_MAX_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SignInForm(forms.Form):
    login = forms.CharField(label=_("Username or email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; what they may be is the media pipeline's to decide."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [] if data in self.empty_values else [super().clean(data, initial)]


class ComposeForm(forms.Form):
    # Its inputs through Django's Jinja2 copies of the widget templates, the same HTML: the home page
    # shows this form on every request, and Django's engine rendered its three inputs in about as
    # much CPU as Jinja2 renders the rest of the page's frame.
    default_renderer = Jinja2()

    # No max_length here: the length rule (TWEET_MAX_LENGTH) is the tweet service's to apply.
    text = forms.CharField(label=_("What's happening?"), required=False, strip=False, widget=forms.Textarea)
    images = MultipleFileField(
        label=_("Images"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )

    # A new key for each form shown: posting it twice (a retry, a second click, the back button)
    # publishes once (common.idempotency).
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)
    in_reply_to = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The post you reply to is not a valid one.")},
    )

    @staticmethod
    def new_idempotency_key() -> str:
        """The key of one form shown (letters and digits)."""
        return uuid.uuid4().hex

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, **kwargs)
        # Without JavaScript: a description field per possible image ("alts", in order).
        self.alt_slots = range(1, settings.TWEET_MAX_MEDIA + 1)
        self.alt_max_length = ALT_MAX_LENGTH
        self.fields["idempotency_key"].initial = self.new_idempotency_key()
        # The count beside the field follows this limit live; the server still decides (no maxlength).
        self.fields["text"].widget.attrs.update(
            {
                "rows": 3,
                "data-max-length": max_length,
                "aria-describedby": "compose-count",
                "data-mentions": reverse_lazy("web:suggest"),
                "data-mentions-label": _("People to mention"),
                # %s: how many people the suggestions list shows, read out by screen readers.
                "data-mentions-found": _("People suggested: %s"),
            }
        )


class EditForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )


# The reasons as the page words them (the model's labels are the admin's, in English).
REPORT_REASONS: dict[str, "StrOrPromise"] = {
    Report.Reason.SPAM.value: _("Spam"),
    Report.Reason.HARASSMENT.value: _("Harassment"),
    Report.Reason.CONFIDENTIAL.value: _("Confidential information"),
    Report.Reason.OTHER.value: _("Other"),
}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(value, REPORT_REASONS.get(value, label)) for value, label in Report.Reason.choices],
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NameForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=150)


class ProfileForm(forms.Form):
    # The lengths are the accounts service's to enforce, with the API's messages.
    title = forms.CharField(label=_("Job title"), required=False)
    department = forms.CharField(label=_("Department"), required=False)
    bio = forms.CharField(label=_("About you"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AvatarForm(forms.Form):
    # What the file may be is the media pipeline's to decide.
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )


class PasswordForm(forms.Form):
    current_password = forms.CharField(label=_("Current password"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)
    # Typed twice: a typo in a password nobody sees would lock its owner out.
    new_password_again = forms.CharField(
        label=_("Repeat the new password"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["current_password"].widget.attrs.update(autocomplete="current-password")
        self.fields["new_password"].widget.attrs.update(autocomplete="new-password")
        self.fields["new_password_again"].widget.attrs.update(autocomplete="new-password")

    def clean(self):
        data = super().clean() or {}
        if "new_password_again" in data and data.get("new_password") != data["new_password_again"]:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PasswordResetForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", autofocus=True, type="email")


class SetPasswordForm(forms.Form):
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].widget.attrs.update(autocomplete="new-password", autofocus=True)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search colleagues by name or username"), required=False, max_length=150)


@cache
def _time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name]


class LocaleForm(forms.Form):
    """The language and time zone the pages use; empty: what the browser says."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=lambda: [("", _("As my browser says")), *settings.LANGUAGES],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, choices=lambda: [("", _("As my device says")), *_time_zones()]
    )


class NotificationSettingsForm(forms.Form):
    """What to be notified of, and whether to get the daily email."""

    muted = forms.MultipleChoiceField(
        label=_("Do not notify me when someone"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [
            ("like", _("likes my post")),
            ("follow", _("follows me")),
            ("reply", _("replies to my post")),
            ("mention", _("mentions me")),
        ],
    )
    digest = forms.BooleanField(label=_("Email me a daily digest of unread notifications"), required=False)
