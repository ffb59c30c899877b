from rest_framework import serializers

from api.fields import MAX_ID, StrictIntegerField
from api.serializers import StrictSerializer
from notifications.models import Kind


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    """Documents a Notification; notifications.selectors builds them."""

    id = serializers.IntegerField(
        help_text="The newest event's id: `up_to` for POST /api/notifications/read."
    )
    type = serializers.ChoiceField(choices=Kind.values)
    actors = ActorSerializer(many=True, help_text="The latest few people (none for a moderator's notice).")
    actors_count = serializers.IntegerField(help_text="Everyone in the group.")
    tweet_id = serializers.IntegerField(
        allow_null=True, help_text="The liked post, the reply, the mentioning or the hidden post."
    )
    created_at = serializers.DateTimeField(help_text="The newest event's time.")
    read = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True, help_text="Extension: a hidden post's reason, else null.")


class NotificationPageSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    notifications = NotificationSerializer(many=True)
    unread = serializers.IntegerField(help_text="Notifications not read yet.")
    next_cursor = serializers.CharField(allow_null=True, help_text="The next page's cursor, or null.")


class UnreadSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    unread = serializers.IntegerField(help_text="Notifications not read yet.")


class ReadSerializer(StrictSerializer):
    up_to = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Mark notifications up to this id read (a page's first `id`); absent: all.",
    )
