"""Template helpers of the web client's pages."""

from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def widget(field: BoundField) -> str:
    """The field's input, tied to its error messages (aria-describedby, aria-invalid) when it has any,
    so that a screen reader reads the error with the field; _field.html gives them these ids."""
    if not field.errors:
        return field.as_widget()
    ids = " ".join(
        [field.field.widget.attrs.get("aria-describedby", "")]
        + [f"{field.auto_id}-error-{n}" for n in range(1, len(field.errors) + 1)]
    ).strip()
    return field.as_widget(attrs={"aria-describedby": ids, "aria-invalid": "true"})


@register.filter
def initials(name: str) -> str:
    """Up to two letters for an avatar without a picture: the first letters of the first and last words."""
    words = name.split()
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()
