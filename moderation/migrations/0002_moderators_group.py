"""The Moderators group with exactly the permissions the moderation console needs.

Not included, on purpose: adding or deleting users and tweets, editing groups or permissions.
The UserAdmin also shows is_staff, is_superuser, groups and permissions read-only to anyone
who is not a superuser, so `change_user` cannot be used to grant staff rights.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("accounts", "user", ["view", "change"]),
    ("accounts", "apikey", ["view"]),
    ("accounts", "follow", ["view"]),
    ("tweets", "tweet", ["view", "change"]),
    ("tweets", "like", ["view"]),
    ("media", "media", ["view"]),
    ("moderation", "reportedtweet", ["view", "change"]),
    ("moderation", "report", ["view"]),
    ("moderation", "auditentry", ["view"]),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=f"{verb}_{model}")
            for app, model, verbs in PERMISSIONS
            for verb in verbs
        ]
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_reports_and_audit_log"),
        ("accounts", "0001_initial"),
        ("tweets", "0001_initial"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
