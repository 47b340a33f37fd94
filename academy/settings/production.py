"""Production: configured from the environment only, and refuses to start without it."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h]
_required("DATABASE_URL")  # base.py reads it; production never falls back to SQLite
if ACADEMY_TASK_QUEUE == "celery":  # noqa: F405
    _required("ACADEMY_CELERY_BROKER_URL")
if ACADEMY_PRIVATE_STORAGE == "s3":  # noqa: F405
    _required("ACADEMY_S3_BUCKET")

DEBUG = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "true") == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise about the whole domain that only its owner can make and is
# slow to undo: off unless the operator says so (README, "check --deploy").
SECURE_HSTS_PRELOAD = os.environ.get("DJANGO_SECURE_HSTS_PRELOAD", "false") == "true"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DJANGO_EMAIL_USE_TLS", "false") == "true"
# With DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (a
# staging site, the loopback scale tests), each message is a file in this folder.
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH") or None
ACADEMY_PUBLIC_URL = _required("ACADEMY_PUBLIC_URL")
WAGTAILADMIN_BASE_URL = ACADEMY_PUBLIC_URL
ACADEMY_ALLOW_DEMO_DATA = False
# The private signing keys: a directory only the app can read, backed up (README).
ACADEMY_SIGNING_KEY_DIR = Path(_required("ACADEMY_SIGNING_KEY_DIR"))
ACADEMY_SIGNING_KEY_AUTOCREATE = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
