import itertools
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from . import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, see e2e


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    return factories.make_home()


@pytest.fixture
def course_index(home_page):
    return factories.make_catalogue(home_page)


@pytest.fixture
def course_page(course_index):
    return factories.make_course(index=course_index, title="Foundations test course")


@pytest.fixture
def modules(course_page):
    return [
        factories.make_module(course=course_page, title="First module"),
        factories.make_module(course=course_page, title="Second module"),
        # No Arabic text yet: shows English with a notice.
        factories.make_module(
            course=course_page, title="Third module", languages=("en", "es", "fr")
        ),
    ]


@pytest.fixture
def learner(db):
    return factories.make_user(email="learner@example.org", full_name="Alex Rivera")


@pytest.fixture
def other_learner(db):
    return factories.make_user(email="someone.else@example.org", full_name="Sam Else")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of content/ that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(settings.ACADEMY_CONTENT_DIR, target)
    return target


# ---------------------------------------------------------------------------
# Real servers on loopback (ops/servers.py): an S3 API for the private storage.


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server, a process of its own on a free loopback port."""
    from ops import servers

    server, endpoint = servers.start_moto(tmp_path_factory.mktemp("s3"))
    yield endpoint
    server.stop()


@pytest.fixture
def private_s3(settings, s3_server):
    """The private storage on a fresh bucket of the S3 server; yields its name."""
    from ops import servers

    bucket = servers.make_bucket(s3_server, f"academy-{next(_buckets)}")
    options = servers.s3_env(s3_server, bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "academy.core.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "region_name": options["ACADEMY_S3_REGION"],
                "access_key": options["ACADEMY_S3_ACCESS_KEY_ID"],
                "secret_key": options["ACADEMY_S3_SECRET_ACCESS_KEY"],
            },
        },
    }
    return bucket


_buckets = itertools.count(1)
