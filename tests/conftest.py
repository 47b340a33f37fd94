import itertools
import json
import os

import pytest
from django.core.cache import cache

from academy.core import anonymous

from . import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, see e2e


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    anonymous.addressed_clear()
    yield
    cache.clear()
    anonymous.addressed_clear()


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


def pytest_collection_modifyitems(items):
    """On PostgreSQL, every test that asks for serialized_rollback starts its module
    from migration_rows (below), whatever ran before it. SQLite needs no help (its
    content types keep their ids after a flush). The browser tests are left out: they
    run in their own process, where every transactional test restores the serialized
    copy itself, and there the module's extra flush and load leaves the second test
    of a module without Wagtail's root page."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    for item in items:
        if item.get_closest_marker("browser") is not None:
            continue
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("serialized_rollback"):
            if "migration_rows" not in item.fixturenames:
                item.fixturenames.insert(0, "migration_rows")


@pytest.fixture(scope="module")
def migration_rows(django_db_setup, django_db_blocker):
    """Start a module of transactional tests from the rows the migrations made
    (Wagtail's root page, locale, collection, groups). A transactional test without
    serialized_rollback flushes the test database and, on PostgreSQL, recreates the
    content types under new ids, after which Django's serialized copy no longer
    loads (duplicate content type); flush again (no post_migrate) and load that
    copy, so the order of modules does not matter."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            # Sequences stay where they are (as Django's own flush between tests
            # leaves them): the copy's rows keep their ids, new rows come after.
            call_command(
                "flush",
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            # The content types first, and a cache that holds their ids: saving the
            # other rows looks content types up (signals), and a miss would create
            # one under a new id that the copy's own row then collides with.
            types = [
                row
                for row in json.loads(contents)
                if row["model"] == "contenttypes.contenttype"
            ]
            ContentType.objects.clear_cache()
            connection.creation.deserialize_db_from_string(json.dumps(types))
            connection.creation.deserialize_db_from_string(contents)
            ContentType.objects.clear_cache()
