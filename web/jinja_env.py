"""The Jinja2 engine that renders the post cards (settings.TEMPLATES' second engine).

A feed page is twenty cards; in Django's template engine they were most of the page's CPU (each
variable, tag and include resolved through its context stack on every card), and Jinja2, which
compiles a template to Python code, renders the same cards in a fraction of it. The rest of the
pages stay Django templates; they show cards through web.cards.cards_html (the `cards` tag), which
also gives the cards their words, translated.

Escaping is on (markupsafe; Django's SafeString, as tweet_html returns, is kept as it is).
"""

from jinja2 import Environment

from web.templatetags.chirp import avatar
from web.templatetags.chirp_text import tweet_html


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters["tweet_html"] = tweet_html
    env.globals["avatar"] = avatar
    return env
