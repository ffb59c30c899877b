"""A storage that fails mid-upload (a full disk) and the sweep of files no media row names."""

import errno
import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from media.images import image_process
from media.models import Media
from media.services import media_create, media_orphan_files_sweep
from media.tests.factories import file_names, image_file, stored_files, upload


class FullDiskStorage(FileSystemStorage):
    """Local storage on a disk with `free_bytes` left: a write past them fails with ENOSPC.

    The bytes that fit are written first, as on a real full disk, so a failed write leaves a
    partial file behind. `partial` records the names of those partial files.
    """

    free_bytes = 0
    partial: list[str] = []

    def _save(self, name, content):
        chunks = content.chunks
        content.chunks = lambda *args, **kwargs: self._until_full(name, chunks(*args, **kwargs))
        return super()._save(name, content)  # type: ignore[misc]  # FileSystemStorage's private writer, not in the stubs

    def _until_full(self, name, chunks):
        """The chunks FileSystemStorage writes, until the disk is full: then what fits, and ENOSPC."""
        for chunk in chunks:
            if len(chunk) > type(self).free_bytes:
                fitting = chunk[: type(self).free_bytes]
                type(self).free_bytes = 0
                type(self).partial.append(name)
                yield fitting
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            type(self).free_bytes -= len(chunk)
            yield chunk


@pytest.fixture
def full_disk(settings, media_root):
    """The default storage on a nearly full disk; set FullDiskStorage.free_bytes to taste."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage", "OPTIONS": {"location": str(media_root)}},
    }
    FullDiskStorage.partial = []
    return FullDiskStorage


def _encoded_sizes(data: bytes) -> tuple[int, int]:
    processed = image_process(upload(data))
    return len(processed.image.data), len(processed.thumbnail.data)


@pytest.mark.parametrize("where", ["image", "thumbnail"])
def test_a_full_disk_answers_503_storage_unavailable_and_leaves_no_file(author, full_disk, media_root, where):
    """A disk filling up mid-upload: a 503 storage_unavailable envelope, no row, not even a partial file."""
    data = image_file("PNG", size=(900, 700))
    image_size, thumbnail_size = _encoded_sizes(data)
    full_disk.free_bytes = image_size // 2 if where == "image" else image_size + thumbnail_size // 2

    response = author.client().post("/api/medias", {"file": upload(data)}, format="multipart")

    assert response.status_code == 503
    assert response.json() == {
        "result": False,
        "error_type": "storage_unavailable",
        "error_message": "Image storage is unavailable right now; try again later.",
    }
    assert int(response["Retry-After"]) >= 1
    # The failing write really started a file, which the upload then removed.
    assert len(full_disk.partial) == 1
    assert full_disk.partial[0].endswith("_thumb.png") is (where == "thumbnail")
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


def test_an_upload_works_again_once_space_is_freed(author, full_disk, media_root):
    """Storage failures are not sticky: with room on the disk the next upload is a 201."""
    full_disk.free_bytes = 10
    data = image_file("PNG")
    assert author.client().post("/api/medias", {"file": upload(data)}, format="multipart").status_code == 503

    full_disk.free_bytes = 10**9
    response = author.client().post("/api/medias", {"file": upload(data)}, format="multipart")

    assert response.status_code == 201
    media = Media.objects.get()
    assert stored_files(media_root) == sorted(file_names(media))


def _age_file(media_root, name: str, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(media_root / name, (past, past))


def _orphan(media_root, name: str, hours: float) -> str:
    (media_root / name).parent.mkdir(parents=True, exist_ok=True)
    (media_root / name).write_bytes(b"left over")
    _age_file(media_root, name, hours)
    return name


def test_prune_media_sweeps_old_files_that_no_media_names(
    author, media_root, django_capture_on_commit_callbacks
):
    """Old files without a row go; files of media rows and recent files (an upload in progress) stay."""
    kept = media_create(uploader=author.user, upload=upload(image_file("PNG")))
    for name in file_names(kept):
        _age_file(media_root, name, 100)
    old = _orphan(media_root, "ab/abandoned_thumb.png", 25)
    recent = _orphan(media_root, "cd/in-progress.png", 23)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_media", "--older-than", "24h", stdout=out)

    assert stored_files(media_root) == sorted([*file_names(kept), recent])
    assert f"Deleted stored file {old}: no media names it" in out.getvalue()
    assert "Deleted 1 stored files that no media names" in out.getvalue()


def test_prune_media_never_sweeps_a_file_younger_than_ten_minutes(db, media_root):
    """Whatever age it is given, a file written a moment ago (its row not yet created) stays."""
    fresh = _orphan(media_root, "ef/being-uploaded.png", 0.1)
    old = _orphan(media_root, "ef/old.png", 0.2)

    call_command("prune_media", "--older-than", "0s", stdout=io.StringIO())

    assert stored_files(media_root) == [fresh]
    assert old not in stored_files(media_root)


def test_prune_media_dry_run_lists_stray_files_and_keeps_them(db, media_root):
    """--dry-run names the stray files it would delete and deletes none."""
    stray = _orphan(media_root, "12/stray.webp", 48)
    out = io.StringIO()

    call_command("prune_media", "--older-than", "24h", "--dry-run", stdout=out)

    assert stored_files(media_root) == [stray]
    assert f"Would delete stored file {stray}: no media names it" in out.getvalue()


def test_sweeping_an_empty_or_missing_store_deletes_nothing(db, settings, tmp_path):
    """A MEDIA_ROOT that does not exist yet (nothing ever uploaded) is an empty store."""
    settings.MEDIA_ROOT = tmp_path / "never-created"

    assert media_orphan_files_sweep(older_than=timedelta(0)) == []


def test_sweep_checks_rows_in_batches(author, media_root):
    """More files than one batch: every stray one goes, every named one stays."""
    media = [media_create(uploader=author.user, upload=upload(image_file("PNG"))) for _ in range(3)]
    named = sorted(name for item in media for name in file_names(item))
    for name in named:
        _age_file(media_root, name, 2)
    strays = sorted(_orphan(media_root, f"9{i}/stray{i}.png", 2) for i in range(5))

    swept = media_orphan_files_sweep(older_than=timedelta(hours=1), batch_size=2)

    assert sorted(swept) == strays
    assert stored_files(media_root) == named


def test_a_failed_row_insert_removes_the_stored_files(author, media_root, monkeypatch):
    """Files are written before the row; if the row cannot be inserted, they are deleted again."""

    def refuse(*args, **kwargs):
        raise RuntimeError("the insert failed")

    monkeypatch.setattr(Media.objects, "create", refuse)

    with pytest.raises(RuntimeError):
        media_create(uploader=author.user, upload=upload(image_file("PNG")))

    assert stored_files(media_root) == []


def test_content_file_uploads_are_unchanged_by_the_full_disk_helper(full_disk, media_root):
    """The test storage writes what it is given while there is room (so its failures are the disk's)."""
    full_disk.free_bytes = 100
    name = full_disk(location=str(media_root)).save("x/y.bin", ContentFile(b"z" * 60))

    assert (media_root / name).read_bytes() == b"z" * 60
    assert full_disk.free_bytes == 40
