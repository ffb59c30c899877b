from rest_framework import serializers

from api.fields import StrictCharField
from moderation.models import Report


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices, help_text="Why the tweet is a problem.")
    comment = StrictCharField(
        required=False, default="", allow_blank=True, max_length=1000, help_text="Optional details."
    )


class ReportCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    report_id = serializers.IntegerField()
