"""Where private files live: certificate PDFs and (for employers) evidence. The
"private" storage is never served at a public address; views that check who is
asking stream its files. A local folder by default (ACADEMY_PRIVATE_FILES_DIR);
any Django storage (e.g. S3 through django-storages) in STORAGES["private"]."""

from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT whose files have no URL at all."""

    def url(self, name):
        raise ValueError(f"{name}: private files have no public address.")


def private_storage():
    return storages["private"]
