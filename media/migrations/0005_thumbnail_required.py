from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    # Apart from 0004's data change: PostgreSQL refuses to alter a table with pending trigger
    # events (the deferred foreign keys of the rows 0004 updated) in the same transaction.
    dependencies = [
        ("media", "0004_thumbnail_of_every_media"),
    ]

    operations = [
        migrations.AlterField(
            model_name="media",
            name="thumbnail",
            field=models.FileField(max_length=255, upload_to=""),
        ),
        migrations.AddConstraint(
            model_name="media",
            constraint=models.CheckConstraint(condition=~Q(thumbnail=""), name="media_thumbnail_not_blank"),
        ),
    ]
