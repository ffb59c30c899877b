"""How a notification names its people ("Ada, Bob and 3 others"), the same on the page and in the
daily email, in the active language.

Each door words its whole sentence around this as one message ("%(who)s liked your post"), so
that a language can put the people where its grammar wants them: the Russian names them after
the action, in forms that do not depend on whether the people are men or women.
"""

from collections.abc import Sequence

from django.utils.translation import gettext, ngettext


def actors_phrase(names: Sequence[str], *, count: int) -> str:
    """`names` (the latest people, newest first) as one phrase for a group of `count` people:
    "Ada, Bob, Cy and 2 others", "Ada and Bob", "Ada". The caller renders each name (plain text,
    or a link already escaped)."""
    others = count - len(names)
    if others > 0:
        more = ngettext("and %(n)s other", "and %(n)s others", others) % {"n": others}
        return f"{', '.join(names)} {more}"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} {gettext('and')} {names[-1]}"
    return names[0] if names else ""
