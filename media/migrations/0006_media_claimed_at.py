from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0005_thumbnail_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="media",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
