"""An upload handler that stops reading a request whose body is larger than any import may be."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses the files of a request larger than `FIELDWORK_IMPORT_MAX_BYTES` (plus the form's own
    fields) before they reach the disk: the fields sent before the file (the CSRF token) are still
    read, the file is not, and the view says the file is too large."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > settings.FIELDWORK_IMPORT_MAX_BYTES + 1_000_000

    def new_file(self, *args, **kwargs):
        if self.too_large:
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
