from django.db import migrations
from django.db.models import F


def name_the_file_as_thumbnail(apps, schema_editor):
    # Media uploaded before thumbnails existed: their image is their thumbnail, as readers showed it.
    Media = apps.get_model("media", "Media")
    Media.objects.filter(thumbnail="").update(thumbnail=F("file"))


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0003_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.RunPython(name_the_file_as_thumbnail, migrations.RunPython.noop),
    ]
