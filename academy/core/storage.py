"""Where private files live: certificate PDFs and (for employers) evidence. The
"private" storage is never served at a public address; views that check who is
asking stream its files. Local folder by default (ACADEMY_PRIVATE_FILES_DIR);
any Django storage (e.g. S3 through django-storages) in STORAGES["private"]."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
