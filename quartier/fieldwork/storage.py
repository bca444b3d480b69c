"""Private storage: files nobody may fetch by URL (contact imports), outside `MEDIA_ROOT`."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="quartier.fieldwork.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """`settings.PRIVATE_STORAGE_ROOT`, read at each use; no URL (`url()` raises): files in it are read
    through permission-checked views only, and deleted when their job ends."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


private_storage = PrivateStorage()
