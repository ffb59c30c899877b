"""The scheduler's notification jobs: the daily digest through a real SMTP server, retention."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.digests import digests_send
from notifications.models import Digest, Notification
from notifications.services import digest_set
from tweets.services import like_add


def test_digest_mails_unread_notifications_once(make_user, make_tweet, mail_to_smtp, settings):
    """Two likes and a follow: one email listing both, with links; a second run sends nothing."""
    settings.SITE_URL = "https://chirp.example.com"
    author = make_user("Dee Digest", email="dee@example.com")
    digest_set(user=author.user, enabled=True)
    tweet = make_tweet(author)
    ada, bob = make_user("Ada Liker"), make_user("Bob Liker")
    like_add(user=ada.user, tweet_id=tweet.id)
    like_add(user=bob.user, tweet_id=tweet.id)
    bob.client().post(f"/api/users/{author.id}/follow")

    call_command("send_notification_digests")

    message = mail_to_smtp.wait_for(author.user.email)
    assert message["Subject"] == "Chirp: 2 new notifications"
    body = message.get_content()
    assert f"Bob Liker followed you: https://chirp.example.com/people/{bob.id}/" in body
    assert f"Bob Liker and Ada Liker liked your post: https://chirp.example.com/tweets/{tweet.id}/" in body
    assert digests_send() == 0


def test_digest_is_off_by_default_and_skips_nothing_new(author, outsider, make_tweet, mail_to_smtp):
    like_add(user=outsider.user, tweet_id=make_tweet(author).id)
    assert digests_send() == 0
    digest_set(user=author.user, enabled=True)
    author.client().post("/api/notifications/read", {}, format="json")
    assert digests_send() == 0
    assert Digest.objects.get(user=author.user).sent_at is None


def test_prune_deletes_only_notifications_past_retention(author, outsider, make_tweet, settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 90
    for _ in range(2):
        like_add(user=outsider.user, tweet_id=make_tweet(author).id)
    old = Notification.objects.earliest("id")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))

    call_command("prune_notifications")

    assert list(Notification.objects.values_list("pk", flat=True)) != [old.pk]
    assert Notification.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("prune_notifications", "--days", "0")


def test_digest_speaks_the_language_chosen_in_settings(make_user, make_tweet, mail_to_smtp, settings):
    """A person who chose Russian gets the email in Russian, with the page's own words."""
    settings.SITE_URL = "https://chirp.example.com"
    reader = make_user("Rita Reader", email="rita@example.com")
    reader.user.language = "ru"
    reader.user.save(update_fields=["language"])
    digest_set(user=reader.user, enabled=True)
    like_add(user=make_user("Ada Liker").user, tweet_id=make_tweet(reader).id)

    call_command("send_notification_digests")

    message = mail_to_smtp.wait_for(reader.user.email)
    assert message["Subject"] == "Chirp: 1 новое уведомление"
    body = message.get_content()
    assert body.startswith("Здравствуйте, Rita Reader!")
    assert "Ваш пост понравился: Ada Liker — https://chirp.example.com/tweets/" in body
