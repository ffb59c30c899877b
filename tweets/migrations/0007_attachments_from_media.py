from django.db import migrations


def attachments_from_media(apps, schema_editor):
    # Every image a tweet had (media.tweet, media.position) becomes its Attachment, claimed since
    # its upload. One statement each, whatever the number of rows.
    Attachment = apps.get_model("tweets", "Attachment")
    Media = apps.get_model("media", "Media")
    attachments, media = Attachment._meta.db_table, Media._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {attachments} (tweet_id, media_id, position) "
            f"SELECT tweet_id, id, position FROM {media} WHERE tweet_id IS NOT NULL"
        )
        cursor.execute(f"UPDATE {media} SET claimed_at = created_at WHERE tweet_id IS NOT NULL")


def media_from_attachments(apps, schema_editor):
    Attachment = apps.get_model("tweets", "Attachment")
    Media = apps.get_model("media", "Media")
    for attachment in Attachment.objects.all().iterator():
        Media.objects.filter(pk=attachment.media_id).update(
            tweet_id=attachment.tweet_id, position=attachment.position
        )


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0006_media_claimed_at"),
        ("tweets", "0006_attachment"),
    ]

    operations = [
        migrations.RunPython(attachments_from_media, media_from_attachments),
    ]
