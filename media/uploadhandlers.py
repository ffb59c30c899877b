from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from api.exceptions import PayloadTooLarge


class UploadSizeLimitHandler(FileUploadHandler):
    """Abort a file upload with 413 as soon as it streams past MEDIA_MAX_UPLOAD_BYTES.

    ApiBodySizeLimitMiddleware already refuses a declared Content-Length over the limit; this
    catches what it cannot see: a body whose length was not declared or not checked, and a file
    that fills the multipart overhead allowance. Installed first, it sees each chunk before the
    handlers that keep it in memory or in a temporary file, so at most one chunk past the limit
    is ever read.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MEDIA_MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The next handlers build the uploaded file object.
        return None
