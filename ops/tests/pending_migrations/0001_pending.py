"""A migration that is never applied, so readiness sees a database behind the code."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = []
