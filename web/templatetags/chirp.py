"""Template helpers of the web client's pages."""

from django import template
from django.forms import BoundField
from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup, escape

from web.cards import cards_html

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


@register.simple_tag
def avatar(name: str, image: str, size: int = 40) -> Markup:
    """A person's avatar: `image` (a URL: a photo, or accounts.avatars' generated initials) or else
    the initials of `name`; `size` in CSS pixels. The pages and the cards (Jinja2) share it."""
    # markupsafe's Markup, which Django's templates take as safe too, escaping in C; an f-string of
    # escaped values, as Markup.format's formatter is slower per call and a page renders twenty cards.
    if image:
        src, n = escape(image), int(size)
        return Markup(f'<img class="avatar" src="{src}" alt="" width="{n}" height="{n}" loading="lazy">')
    return Markup(f'<span class="avatar" aria-hidden="true">{escape(initials(name))}</span>')


@register.simple_tag(takes_context=True)
def cards(context, tweets: list[dict], next_url: str = "") -> SafeString:
    """The post cards (web.cards): their actions come back to `next_url`, else to the page's `next`,
    else to this page."""
    return cards_html(
        context["request"],
        tweets,
        next_url=next_url or context.get("next") or "",
        csrf_token=context.get("csrf_token"),
    )


@register.simple_tag(takes_context=True)
def card(context, tweet: dict) -> SafeString:
    """One post's card, as `cards`."""
    return cards(context, [tweet])


def _jinja(name: str, context: dict) -> SafeString:
    return mark_safe(engines["jinja2"].env.get_template(name).render(context))  # type: ignore[attr-defined]


@register.simple_tag(takes_context=True)
def jinja(context, name: str) -> SafeString:
    """A part of the pages kept as a Jinja2 template (web/jinja2/), rendered with this page's
    variables: the compose box, the Trending box."""
    return _jinja(name, context.flatten())


class LayoutNode(template.Node):
    # The blocks inside are the page's to fill ({% extends %} finds them here).
    child_nodelists = ("title", "content")

    def __init__(self, title: template.NodeList, content: template.NodeList):
        self.title, self.content = title, content

    def render(self, context) -> SafeString:
        page = context.flatten()
        page["title"] = mark_safe(self.title.render(context))
        page["content"] = mark_safe(self.content.render(context))
        return _jinja("web/layout.html", page)


@register.tag
def layout(parser, token) -> LayoutNode:
    """`{% layout %}title{% layout_content %}content{% endlayout %}`: the page frame
    (web/jinja2/web/layout.html, the one the Jinja2 pages extend) around a Django page's blocks."""
    title = parser.parse(("layout_content",))
    parser.delete_first_token()
    content = parser.parse(("endlayout",))
    parser.delete_first_token()
    return LayoutNode(title, content)
