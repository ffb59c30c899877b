"""The daily email of unread notifications (opt-in under Settings), sent by the scheduler."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from notifications.models import Digest
from notifications.selectors import NotificationPayload, notification_page

logger = logging.getLogger("chirp.notifications")

# At most this many notifications in one email; the page has the rest.
DIGEST_MAX_ITEMS = 50
# "Daily", with an hour's slack so that an hourly scheduler does not drift a day later.
DIGEST_EVERY = timedelta(hours=23)


def _who(item: NotificationPayload) -> str:
    """ "Ada, Bob and 3 others" or "Ada and Bob", worded as the notifications page words it."""
    names = [actor["name"] for actor in item["actors"]]
    others = item["actors_count"] - len(names)
    if others:
        more = ngettext("and %(n)s other", "and %(n)s others", others) % {"n": others}
        return f"{', '.join(names)} {more}"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} {gettext('and')} {names[-1]}"
    return names[0]


def _action(item: NotificationPayload) -> str:
    count = item["actors_count"]
    if item["type"] == "like":
        return ngettext("liked your post", "liked your post", count)
    if item["type"] == "follow":
        return ngettext("followed you", "followed you", count)
    return gettext("replied to your post") if item["type"] == "reply" else gettext("mentioned you")


def digest_line(item: NotificationPayload, *, site: str) -> str:
    """One notification as a line of the email, with its link, in the active language."""
    if item["type"] == "report_resolved":
        return gettext("A moderator handled a report you filed.")
    if item["type"] == "tweet_hidden":
        line = gettext("A moderator hid one of your posts.")
        reason = gettext("Reason: %(reason)s") % {"reason": item["reason"]}
        return f"{line} {reason}" if item["reason"] else line
    line = f"{_who(item)} {_action(item)}" if item["actors"] else _action(item)
    if item["tweet_id"] is not None:
        return f"{line}: {site}/tweets/{item['tweet_id']}/"
    return f"{line}: {site}/people/{item['actors'][0]['id']}/" if item["actors"] else line


def digests_send() -> int:
    """Email each person who asked for it their unread notifications not in an earlier email, once
    a day at most; returns how many emails went. A refused email is logged and tried next run."""
    now = timezone.now()
    due = (
        Digest.objects.filter(Q(sent_at__isnull=True) | Q(sent_at__lte=now - DIGEST_EVERY))
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    site = settings.SITE_URL.rstrip("/")
    sent = 0
    for digest in due:
        items, _ = notification_page(user=digest.user, cursor="", limit=DIGEST_MAX_ITEMS)
        new = [item for item in items if not item["read"] and item["id"] > digest.sent_up_to]
        if not new:
            continue
        # In the language the person chose in Settings (the site's default if none): the pages'
        # own words, from the same catalogue.
        with translation.override(digest.user.language or settings.LANGUAGE_CODE):
            body = render_to_string(
                "notifications/digest_email.txt",
                {"user": digest.user, "lines": [digest_line(item, site=site) for item in new], "site": site},
            )
            subject = ngettext(
                "Chirp: %(count)s new notification", "Chirp: %(count)s new notifications", len(new)
            ) % {"count": len(new)}
        try:
            send_mail(subject, body, None, [digest.user.email])
        except (smtplib.SMTPException, OSError):
            logger.exception("The notification digest to user %s could not be sent.", digest.user_id)
            continue
        Digest.objects.filter(pk=digest.pk).update(sent_up_to=max(item["id"] for item in new), sent_at=now)
        sent += 1
    return sent
