"""Where private files live: certificate PDFs and (for employers) evidence. The
"private" storage is never served at a public address; views that check who is
asking stream its files.

Two backends, chosen by settings (ACADEMY_PRIVATE_STORAGE, README: storage):
- a local folder (ACADEMY_PRIVATE_FILES_DIR), the default, for one machine;
- a private bucket on any S3-compatible service (django-storages), which every app
  server sees: objects are written with the "private" ACL and, like the folder's,
  have no URL here at all. Nothing can be fetched but through the views.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage

PRIVATE_ALIAS = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT whose files have no URL at all."""

    def url(self, name):
        raise ValueError(f"{name}: private files have no public address.")


class PrivateS3Storage(S3Storage):
    """A private bucket: objects are written "private" whatever the bucket's default,
    an existing name is never overwritten (a new one is chosen, as on disk), and no
    object has a URL, signed or not: the views stream them after checking who asks."""

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(f"{name}: private files have no public address.")


class PrivateStorage(LazyObject):
    """STORAGES["private"], looked up when first used (and again after a settings
    change in tests), so a model's FileField follows the configured backend."""

    def _setup(self):
        self._wrapped = storages[PRIVATE_ALIAS]


_private = PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage():
    """The private storage (a FileField's `storage=` callable; keep the name: the
    certificates' migrations refer to it)."""
    return _private
