"""notification_created_idx, read only by retention's range delete, becomes a BRIN index on
PostgreSQL (common.indexes.AppendOrderIndex): no btree entry written per notification (issue 20)."""

from django.db import migrations

import common.indexes


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_created_idx"),
        migrations.AddIndex(
            model_name="notification",
            index=common.indexes.AppendOrderIndex(fields=["created_at"], name="notification_created_idx"),
        ),
    ]
