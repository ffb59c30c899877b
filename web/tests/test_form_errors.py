"""web.errors.form_error_add: the one way a page shows a service's refusal on its form."""

from django import forms

from common.errors import Invalid, NotAllowed, RateLimited
from web.errors import form_error_add


class PasswordForm(forms.Form):
    current_password = forms.CharField()
    new_password = forms.CharField()


def bound() -> PasswordForm:
    form = PasswordForm({"current_password": "a", "new_password": "b"})
    assert form.is_valid()
    return form


def test_field_messages_go_on_their_fields_renamed_as_the_form_names_them():
    """The service's `password` is the form's `new_password`; `current_password` keeps its name."""
    form = bound()
    error = form_error_add(
        form,
        Invalid(fields={"password": ["Too short.", "Too common."], "current_password": ["Wrong."]}),
        renamed={"password": "new_password"},
    )

    assert error.status == 400
    assert form.errors == {"new_password": ["Too short.", "Too common."], "current_password": ["Wrong."]}


def test_a_field_the_form_lacks_and_an_error_without_fields_go_on_the_fallback():
    """Nothing a service says is dropped: unknown fields and field-less errors land on `field`."""
    form = bound()
    form_error_add(form, Invalid.on_field("email", "Taken."), field="current_password")
    assert form.errors == {"current_password": ["Taken."]}

    form = bound()
    error = form_error_add(form, NotAllowed("Not yours."))
    assert error.status == 403
    assert list(form.non_field_errors()) == ["Not yours."]


def test_the_page_wording_is_what_the_form_shows():
    """The message is page_error's, not the service's raw wording (a rate limit says when to retry)."""
    form = bound()
    error = form_error_add(form, RateLimited("slow down", retry_after=7), field="new_password")

    assert error.status == 429
    assert form.errors == {"new_password": ["Too many attempts; try again in 7 seconds."]}


def test_a_message_the_form_already_shows_is_not_added_twice():
    form = PasswordForm({"current_password": "a", "new_password": ""})
    assert not form.is_valid()
    [required] = form.errors["new_password"]

    form_error_add(form, Invalid.on_field("new_password", str(required)))

    assert form.errors["new_password"] == [required]
