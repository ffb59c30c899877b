from django.core.files.storage import default_storage

from media.models import Media
from media.services import media_create
from media.tests.factories import file_names

MEDIA = "/admin/media/media/"


def test_a_superuser_deleting_media_in_the_admin_removes_its_files(
    superuser_client, author, png_upload, django_capture_on_commit_callbacks
):
    """The image and its thumbnail leave storage with the row, once the deletion has committed."""
    media = media_create(uploader=author.user, upload=png_upload())
    names = file_names(media)

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(f"{MEDIA}{media.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Media.objects.filter(pk=media.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


def test_bulk_deleting_media_in_the_admin_removes_every_file(
    superuser_client, author, png_upload, django_capture_on_commit_callbacks
):
    """The changelist's "delete selected" action removes the files of every selected row."""
    media = [media_create(uploader=author.user, upload=png_upload()) for _ in range(2)]
    names = [name for item in media for name in file_names(item)]

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            MEDIA,
            {"action": "delete_selected", "_selected_action": [m.id for m in media], "post": "yes"},
        )

    assert not Media.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
