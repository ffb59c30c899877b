from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from common.errors import TooLarge


class UploadSizeLimitHandler(FileUploadHandler):
    """Abort a file upload (TooLarge: a 413) as soon as it streams past MEDIA_MAX_UPLOAD_BYTES.

    web.middleware.BodySizeLimitMiddleware refuses a declared Content-Length over the limit (and
    installs this handler for a page's multipart body; the API's upload view does it itself); this
    catches what it cannot see: a file that fills the multipart overhead allowance, and a body whose
    length went unchecked (the middleware bypassed or reordered). Installed first,
    the handler sees each chunk before the handlers that keep it in memory or in a temporary file,
    so at most one chunk (64 KiB) past the limit is ever read.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MEDIA_MAX_UPLOAD_BYTES:
            raise TooLarge(f"The file is larger than {settings.MEDIA_MAX_UPLOAD_BYTES} bytes.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The next handlers build the uploaded file object.
        return None
