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
from notifications.wording import actors_phrase

logger = logging.getLogger("chirp.notifications")

# At most this many notifications in one email; the page has the rest.
DIGEST_MAX_ITEMS = 50
# "Daily", with an hour's slack so that an hourly scheduler does not drift a day later.
DIGEST_EVERY = timedelta(hours=23)


def digest_line(item: NotificationPayload, *, site: str) -> str:
    """One notification as a line of the email, with its link, in the active language."""
    if item["type"] == "report_resolved":
        return gettext("A moderator handled a report you filed.")
    if item["type"] == "tweet_hidden":
        line = gettext("A moderator hid one of your posts.")
        reason = gettext("Reason: %(reason)s") % {"reason": item["reason"]}
        return f"{line} {reason}" if item["reason"] else line
    count = item["actors_count"]
    values = {"who": actors_phrase([actor["name"] for actor in item["actors"]], count=count)}
    if item["tweet_id"] is not None:
        values["link"] = f"{site}/tweets/{item['tweet_id']}/"
    elif item["actors"]:
        values["link"] = f"{site}/people/{item['actors'][0]['id']}/"
    # Whole sentences, so that each language orders them as it needs (see notifications.wording).
    if item["type"] == "like":
        liked = ngettext("%(who)s liked your post: %(link)s", "%(who)s liked your post: %(link)s", count)
        return liked % values
    if item["type"] == "follow":
        return ngettext("%(who)s followed you: %(link)s", "%(who)s followed you: %(link)s", count) % values
    if item["type"] == "reply":
        return gettext("%(who)s replied to your post: %(link)s") % values
    return gettext("%(who)s mentioned you: %(link)s") % values


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
