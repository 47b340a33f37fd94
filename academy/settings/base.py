"""Settings shared by every environment. See dev.py, test.py and production.py."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "academy"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # wagtail-modeltranslation must come before the apps it translates; its
    # makemigrations and migrate override the stock commands (see stack notes).
    "wagtail_modeltranslation",
    "wagtail_modeltranslation.makemigrations",
    "wagtail_modeltranslation.migrate",
    "academy.core",
    "academy.organisations",
    "academy.courses",
    "academy.assessments",
    "academy.certificates",
    "academy.progress",
    "academy.workplace",
    "academy.learning",
    "academy.curriculum",
    "academy.demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "academy.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "academy.core.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "academy.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "academy.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "academy.core.context_processors.academy",
                "academy.workplace.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "academy.wsgi.application"

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.config(
        default=DEFAULT_DATABASE_URL, conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the database instead of failing with "database is locked".
    # Write-ahead logging: readers never wait for a writer, and a commit appends to
    # the log instead of syncing the database file (synchronous=NORMAL is SQLite's
    # advice for WAL: no corruption on a crash; a power cut may lose the last
    # commits). PostgreSQL is what production runs.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail 8's search index uses SearchVectorField/GinIndex on PostgreSQL.
    INSTALLED_APPS.append("django.contrib.postgres")
    # No JIT compilation: PostgreSQL compiles any query its planner costs above
    # jit_above_cost, and the coordinator's figures at 10,000 people cost that much
    # while running in a few hundred milliseconds; compiling them took 87 ms of the
    # 510 (EXPLAIN ANALYZE, bench.coordinator's organisation). Sent at connection
    # (libpq's `options`); an `options` in DATABASE_URL wins. A pooler in
    # transaction mode may need `ignore_startup_parameters = options` (PgBouncer).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# django-axes first: it refuses a locked-out account or address before any check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "academy.core.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # seconds: three days

# Languages: the interface and the content, through django-modeltranslation.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Private files (certificate PDFs, employers' evidence) never live under MEDIA_ROOT:
# nothing serves them but the views that check who is asking (README: storage).
ACADEMY_PRIVATE_FILES_DIR = Path(
    os.environ.get("ACADEMY_PRIVATE_FILES_DIR", BASE_DIR / "var" / "private")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "academy.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": ACADEMY_PRIVATE_FILES_DIR},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Or a private bucket on an S3-compatible service, which every app server sees
# (README: storage). The bucket must not be public; the academy writes every
# object "private" and never hands out its address.
ACADEMY_PRIVATE_STORAGE = os.environ.get("ACADEMY_PRIVATE_STORAGE", "filesystem")
if ACADEMY_PRIVATE_STORAGE == "s3":
    STORAGES["private"] = {
        "BACKEND": "academy.core.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("ACADEMY_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("ACADEMY_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ACADEMY_S3_REGION") or None,
            "access_key": os.environ.get("ACADEMY_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ACADEMY_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("ACADEMY_S3_PREFIX", ""),
        },
    }
elif ACADEMY_PRIVATE_STORAGE != "filesystem":
    raise ImproperlyConfigured(
        "ACADEMY_PRIVATE_STORAGE is 'filesystem' (the default) or 's3', "
        f"not {ACADEMY_PRIVATE_STORAGE!r}."
    )

# Shared state lives where every app server sees it: the database cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "academy_cache",
        # Django's default of 300 entries would cull what a publish made (the page
        # tree, every course's structure) to make room for learners' kept pages
        # (core.page_cache), which expire within two minutes and are culled first.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
# Signed-in learner pages are kept while nothing they show has changed
# (core.page_cache); false renders every view afresh.
ACADEMY_LEARNER_PAGES_KEPT = True
# What a render reads about the person (their record, their memberships) is kept
# while their rows stay as they were (core.page_cache.person_entry).
ACADEMY_PERSON_ENTRIES_KEPT = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background work: Wagtail's own tasks run at once; the academy's go to the
# database queue (python manage.py db_worker --backend academy).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "academy": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
}
# A site whose reminders and imports outgrow the database queue moves the academy's
# tasks to Celery through the task framework's Celery backend (django-tasks-fennel),
# the same task code, with Redis as broker and result store (README: Celery); run
# `celery -A django_tasks_fennel.app worker` instead of db_worker.
ACADEMY_TASK_QUEUE = os.environ.get("ACADEMY_TASK_QUEUE", "database")
if ACADEMY_TASK_QUEUE == "celery":
    INSTALLED_APPS.append("django_tasks_fennel")
    TASKS["academy"] = {
        "BACKEND": "django_tasks_fennel.CeleryBackend",
        "QUEUES": ["default"],
    }
    CELERY_BROKER_URL = os.environ.get("ACADEMY_CELERY_BROKER_URL", "")
    CELERY_RESULT_BACKEND = os.environ.get(
        "ACADEMY_CELERY_RESULT_BACKEND", CELERY_BROKER_URL
    )
    CELERY_RESULT_EXTENDED = True
    CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task: the task runs again
    CELERY_TASK_REJECT_ON_WORKER_LOST = True
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
elif ACADEMY_TASK_QUEUE != "database":
    raise ImproperlyConfigured(
        "ACADEMY_TASK_QUEUE is 'database' (the default) or 'celery', "
        f"not {ACADEMY_TASK_QUEUE!r}."
    )
# A job still waiting this long means no worker is taking them: /healthz?deep=1
# answers 503 and the admin's dashboard says so.
ACADEMY_QUEUE_STALL_MINUTES = int(os.environ.get("ACADEMY_QUEUE_STALL_MINUTES", "10"))

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000  # the scenario editor posts ~2,000 fields
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields, not files
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spool to disk…
ACADEMY_REQUEST_MAX_BYTES = 11 * 1024 * 1024  # …and no request body is larger

# Headers on every response. No inline script or style on the academy's pages;
# Wagtail's admin gets 'unsafe-inline' for those two (core.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

WAGTAIL_SITE_NAME = "Trauma-Informed Academy"
WAGTAILADMIN_BASE_URL = os.environ.get("ACADEMY_PUBLIC_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_I18N_ENABLED = False  # translation is modeltranslation's job, not Wagtail's
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Trauma-Informed Academy <no-reply@academy.example>"
)

# The academy's own settings.
ACADEMY_PUBLIC_URL = WAGTAILADMIN_BASE_URL
ACADEMY_CONTENT_DIR = BASE_DIR / "content"
ACADEMY_ALLOW_DEMO_DATA = False  # seed_demo refuses to run unless a setting allows it
ACADEMY_BENCH_BARE_VIEW = False  # /bench/bare/, the yardstick of make bench-http
ACADEMY_EMAIL_VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3  # seconds: three days

# Email is unique case-insensitively by a database constraint (Lower("email")),
# which auth.W004 cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# A page that passes both editorial reviews is published by the workflow itself.
WAGTAIL_FINISH_WORKFLOW_ACTION = "academy.courses.workflow_actions.publish_after_review"

# Certificates.
ACADEMY_CERTIFICATE_VALIDITY_MONTHS = 24  # when a course does not say
ACADEMY_SIGNING_KEY_DIR = Path(
    os.environ.get("ACADEMY_SIGNING_KEY_DIR", BASE_DIR / "var" / "signing-keys")
)
ACADEMY_SIGNING_KEY_AUTOCREATE = True  # development: a key is made on first use
ACADEMY_VERIFY_RATE_LIMIT = 30  # lookups a minute per client address
ACADEMY_PUBLIC_RATE_LIMIT = 120  # status lists and did.json, a minute per client
# How many proxies (load balancers) stand in front of the app and append to
# X-Forwarded-For. 0: the header is ignored (core.http.client_address).
ACADEMY_TRUSTED_PROXY_COUNT = int(os.environ.get("ACADEMY_TRUSTED_PROXY_COUNT", "0"))

# Emails a visitor can trigger (verification, password reset, registration
# notices): at most this many an hour per address, and per client address.
ACADEMY_EMAILS_PER_ADDRESS = 3
ACADEMY_EMAILS_PER_CLIENT = 20

# Sign-in throttling (django-axes): after 5 failures an account, or a client
# address, waits 15 minutes; the database holds the counts, shared by app servers.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "academy.core.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "academy.core.throttle.axes_client_address"
AXES_LOCKOUT_CALLABLE = "academy.core.throttle.locked_out"
AXES_VERBOSE = False
# No second log of every sign-in: the audit log records what matters, and failures
# are kept only as long as ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS (prune_records).
AXES_DISABLE_ACCESS_LOG = True

# Retention (security review I9): `manage.py prune_records`, daily, deletes finished
# task results and sign-in failure records older than these; see core/retention.py.
ACADEMY_TASK_RESULT_RETENTION_DAYS = int(
    os.environ.get("ACADEMY_TASK_RESULT_RETENTION_DAYS", "30")
)
ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS = int(
    os.environ.get("ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS", "30")
)
ACADEMY_VERIFY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
ACADEMY_VERIFY_BULK_MAX_CODES = 500
ACADEMY_VERIFY_BULK_MAX_BYTES = 100_000
