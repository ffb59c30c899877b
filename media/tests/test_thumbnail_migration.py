"""Media uploaded before thumbnails existed get their image as their thumbnail, once, in a migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("media", "0003_drop_redundant_fk_indexes")]
AFTER = [("media", "0005_thumbnail_required")]


@pytest.mark.django_db(transaction=True)
def test_media_without_a_thumbnail_name_their_image_as_thumbnail_after_migrating():
    """Every reader then reads `thumbnail` alone, and a blank one is refused from then on."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    User = old_apps.get_model("accounts", "User")
    Media = old_apps.get_model("media", "Media")
    uploader = User.objects.create(username="old", name="Old Timer")
    fields = {"uploader": uploader, "content_type": "image/png", "width": 1, "height": 1, "size": 1}
    legacy = Media.objects.create(file="ab/legacy.png", thumbnail="", **fields)
    recent = Media.objects.create(file="cd/recent.png", thumbnail="cd/recent_thumb.png", **fields)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        Media = executor.loader.project_state(AFTER).apps.get_model("media", "Media")

        assert dict(Media.objects.values_list("pk", "thumbnail")) == {
            legacy.pk: "ab/legacy.png",
            recent.pk: "cd/recent_thumb.png",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
