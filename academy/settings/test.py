"""Tests: fast hashing, local memory cache, media in a temporary folder."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="academy-test-media-")
ACADEMY_PRIVATE_FILES_DIR = tempfile.mkdtemp(prefix="academy-test-private-")
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "academy.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": ACADEMY_PRIVATE_FILES_DIR},
    },
}
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "academy": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
ACADEMY_ALLOW_DEMO_DATA = True
ACADEMY_PUBLIC_URL = "https://academy.test"

# Serve static files from the apps in place; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ACADEMY_SIGNING_KEY_DIR = tempfile.mkdtemp(prefix="academy-test-keys-")
