"""The Jinja2 engine (settings.TEMPLATES' second engine): the page frame (web/jinja2/web/layout.html:
head, navigation, messages, the shortcuts list), the home page's Top and Latest tabs with their
compose box and Trending box, and the post cards.

A feed page is twenty cards in a frame; in Django's template engine they were most of the page's
CPU (each variable, tag and include resolved through its context stack on every request), and
Jinja2, which compiles a template to Python code, renders the same HTML in a fraction of it. The
other pages stay Django templates: they show the frame through web/templates/web/base.html (the
`layout` tag), the cards through the `cards` tag, the compose and Trending boxes through `jinja`.

Escaping is on (markupsafe; Django's SafeString, as tweet_html returns, is kept as it is): the same
characters are escaped as by Django's engine, `'` and `"` as `&#39;` and `&#34;` (the same
characters to a browser as Django's `&#x27;` and `&quot;`). Words are marked for translation as
`_("...")`, which makemessages finds in these files as in Django's templates.
"""

from functools import cache, lru_cache

from django.conf import settings
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext, pgettext
from jinja2 import Environment, pass_context
from markupsafe import Markup

from web.cards import cards_html
from web.forms import ComposeForm
from web.templatetags.chirp import avatar, widget
from web.templatetags.chirp_text import tweet_html


@lru_cache(maxsize=4096)
def url(name: str, *args) -> str:
    """reverse(name, args): the same few addresses on every page (the navigation's, Trending's
    tags), each resolved once per process."""
    return reverse(name, args=args)


@cache
def _translated(language: str | None, context: str, message: str) -> str:
    # Bounded: the templates' literal words, in each language.
    return pgettext(context, message) if context else gettext(message)


def translate(message: str) -> str:
    """`_("...")` in the templates: gettext, remembered per language (the catalogues do not change
    while the process runs), as a page shows some fifty words and gettext looks each one up anew."""
    return _translated(get_language(), "", message)


def translate_in(context: str, message: str) -> str:
    """`pgettext(context, "...")`, remembered as `_` is."""
    return _translated(get_language(), context, message)


@pass_context
def cards(context, tweets: list[dict], next_url: str = "") -> Markup:
    """The post cards (web.cards), as the Django pages' `cards` tag shows them."""
    return Markup(
        cards_html(
            context["request"],
            tweets,
            next_url=next_url or context.get("next") or "",
            csrf_token=context.get("csrf_token"),
        )
    )


@cache
def icon(name: str) -> Markup:
    """An icon of the navigation (web/jinja2/web/icons/<name>.svg, inline SVG): the same markup on
    every page, read once per process where an include set up a template context each time."""
    return Markup(engines["jinja2"].env.get_template(f"web/icons/{name}.svg").render())  # type: ignore[attr-defined]


# Stand in for the page's CSRF token and the form's idempotency key in the compose box rendered once.
_CSRF_STAND_IN = "csrf-stand-in-6d1f0b"
_KEY_STAND_IN = "key-stand-in-6d1f0b"


@pass_context
def compose_box(context) -> Markup:
    """The home page's compose box (web/_compose.html), empty: the same HTML for everyone but for
    the page's CSRF token and the form's idempotency key, where its three inputs through Django's
    widget templates were a large part of the home page's frame: rendered once per language and
    limits, the two filled in per page (both letters and digits, nothing to escape). The Compose
    page, which shows a posted form again with its errors, renders the template itself."""
    html = _empty_compose_box(get_language(), settings.TWEET_MAX_LENGTH, settings.TWEET_MAX_MEDIA)
    key = ComposeForm.new_idempotency_key()
    return Markup(html.replace(_CSRF_STAND_IN, str(context["csrf_token"])).replace(_KEY_STAND_IN, key))


@lru_cache(maxsize=16)
def _empty_compose_box(language: str | None, max_length: int, max_media: int) -> str:
    form = ComposeForm(max_length=max_length)
    form.fields["idempotency_key"].initial = _KEY_STAND_IN
    template = engines["jinja2"].env.get_template("web/_compose.html")  # type: ignore[attr-defined]
    return template.render(
        compose_form=form, csrf_token=_CSRF_STAND_IN, tweet_max_length=max_length, tweet_max_media=max_media
    )


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters["tweet_html"] = tweet_html
    env.globals.update(
        _=translate,
        pgettext=translate_in,
        ngettext=ngettext,
        static=lru_cache(maxsize=None)(static),
        url=url,
        avatar=avatar,
        widget=widget,
        cards=cards,
        compose_box=compose_box,
        icon=icon,
    )
    return env
