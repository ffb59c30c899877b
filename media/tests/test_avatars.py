"""Avatar photos: uploaded through the media pipeline, cropped square, stored in three sizes."""

import io
from datetime import timedelta

from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from accounts.models import AVATAR_SIDES
from api.testing import assert_error
from media.services import media_orphan_files_sweep


def upload(client, data: bytes):
    return client.post("/api/users/me/avatar", {"file": io.BytesIO(data)}, format="multipart")


def image_at(url: str) -> Image.Image:
    response = Client().get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.getvalue()))


def test_an_uploaded_photo_becomes_a_square_avatar_in_three_sizes(author, outsider, image_content):
    """A wide photo is cropped square; profiles, the profile page and posts get their sizes."""
    response = upload(author.client(), image_content("JPEG", size=(640, 400)))

    assert response.status_code == 200, response.content
    url = outsider.client().get(f"/api/users/{author.id}").json()["user"]["avatar"]
    assert url == response.json()["user"]["avatar"]
    assert image_at(url).size == (96, 96)
    author.user.refresh_from_db()
    for side in AVATAR_SIDES:
        name = author.user.avatar.replace(".jpg", f"-{side}.jpg")
        assert default_storage.exists(name)
        assert Image.open(default_storage.open(name)).size == (side, side)


def test_a_new_photo_replaces_the_old_files_and_removing_it_brings_back_the_initials(
    author, image_content, django_capture_on_commit_callbacks
):
    """The replaced photo's files are deleted after the commit; DELETE returns to the initials."""
    client = author.client()
    upload(client, image_content("PNG", size=(300, 300)))
    author.user.refresh_from_db()
    first = author.user.avatar

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, image_content("PNG", size=(300, 500)))
    author.user.refresh_from_db()
    assert author.user.avatar != first
    assert not default_storage.exists(first.replace(".png", "-96.png"))
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.delete("/api/users/me/avatar")

    assert removed.status_code == 200
    assert removed.json()["user"]["avatar"].startswith("/avatars/initials/")
    assert not default_storage.exists(author.user.avatar.replace(".png", "-96.png"))


def test_a_file_that_is_not_an_image_is_refused_and_changes_nothing(author, image_content):
    """Not an image: a 400 envelope; an SVG: 415; the profile keeps its avatar."""
    before = author.client().get("/api/users/me").json()["user"]["avatar"]

    assert_error(upload(author.client(), b"just some text, not an image"), 400, "validation_error")
    assert_error(
        upload(author.client(), b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 415, "unsupported_media_type"
    )
    truncated = image_content("PNG", size=(200, 200))[:200]
    assert_error(upload(author.client(), truncated), 400, "validation_error")
    assert author.client().get("/api/users/me").json()["user"]["avatar"] == before


def test_the_orphan_sweep_keeps_the_avatars_users_name(author, image_content):
    """prune_media's sweep of unnamed files leaves the files of a user's avatar alone."""
    upload(author.client(), image_content("PNG", size=(100, 100)))
    author.user.refresh_from_db()

    swept = media_orphan_files_sweep(older_than=timedelta(0), dry_run=True)

    assert not [name for name in swept if name.startswith(author.user.avatar.rsplit(".", 1)[0])]


def test_the_settings_page_uploads_a_photo_and_explains_a_refusal(make_user, image_content):
    """Settings → Photo: a PDF is refused with a message beside the field; a PNG is saved."""
    person = make_user("Photo Person")
    client = Client()
    client.force_login(person.user)

    refused = client.post("/settings/avatar/", {"photo": io.BytesIO(b"%PDF-1.4 not an image")})
    assert refused.status_code in (400, 415)
    assert (
        "PDF files are not accepted" in refused.content.decode()
        or "not a valid image" in refused.content.decode()
    )
    photo = io.BytesIO(image_content("PNG", size=(120, 80)))
    photo.name = "me.png"
    saved = client.post("/settings/avatar/", {"photo": photo}, follow=True)

    assert "Your photo is saved." in saved.content.decode()
    person.user.refresh_from_db()
    assert person.user.avatar
    assert person.user.avatar_url in saved.content.decode()
    removed = client.post("/settings/avatar/", {"remove": "1"}, follow=True)
    assert "Your photo is removed." in removed.content.decode()
