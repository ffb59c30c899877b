from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    # Attachments belong to tweets (tweets.Attachment, filled by tweets 0007): media stores and
    # processes images only, and no longer points up at the tweets app.
    dependencies = [
        ("media", "0006_media_claimed_at"),
        ("tweets", "0007_attachments_from_media"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="media", name="media_position_unique"),
        migrations.RemoveIndex(model_name="media", name="media_tweet_idx"),
        migrations.RemoveIndex(model_name="media", name="media_unattached_idx"),
        migrations.RemoveField(model_name="media", name="position"),
        migrations.RemoveField(model_name="media", name="tweet"),
        migrations.AddIndex(
            model_name="media",
            index=models.Index(
                condition=Q(claimed_at__isnull=True), fields=["created_at"], name="media_unclaimed_idx"
            ),
        ),
    ]
