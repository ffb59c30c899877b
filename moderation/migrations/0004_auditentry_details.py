from django.db import migrations, models


class Migration(migrations.Migration):
    """What a moderation action changed (a suspension's end, old and new values of an account's fields)."""

    dependencies = [
        ("moderation", "0003_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="details",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("hide", "Hide tweet"),
                    ("unhide", "Unhide tweet"),
                    ("suspend", "Suspend user"),
                    ("unsuspend", "Lift suspension"),
                    ("dismiss", "Dismiss reports"),
                    ("key_replacement", "Replace api key"),
                    ("deletion", "Delete"),
                    ("reactivate", "Reactivate user"),
                    ("deactivate", "Deactivate user"),
                    ("account_change", "Change account"),
                ],
                max_length=20,
            ),
        ),
    ]
