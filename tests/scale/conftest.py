"""Two app servers over one PostgreSQL, as behind a load balancer: real gunicorn
processes with the production settings, a real S3 API for private files, the
signing keys in one shared directory (ops/servers.py starts them all).

The servers read the test database, so the tests that use them are transactional:
what a test writes is committed and seen by the servers."""

import datetime
import os
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from academy.organisations.models import Assignment, Cohort, Membership, Organisation
from academy.organisations.selectors import today_in
from ops import servers

from .. import factories
from ..factories import PASSWORD

ON_POSTGRESQL = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="Two app servers share one database: the SQLite test database lives in "
    "the test process's memory. CI runs these on PostgreSQL (DATABASE_URL).",
)
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def shared_database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


SHARED_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "academy_cache",
    }
}


@pytest.fixture(autouse=True)
def shared_cache(settings, django_db_blocker):
    """The servers keep the page tree and content in the database cache they share;
    so does the test process here (the test settings' own cache is in its memory),
    so that what a test publishes retires what the servers had cached. Emptied for
    every test: the flush between tests does not touch the cache table."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield
        return
    settings.CACHES = SHARED_CACHE
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
        cache.clear()
    yield


@dataclass
class Cluster:
    a: servers.Server
    b: servers.Server
    env: dict
    workdir: Path
    key_dir: Path
    mail_dir: Path
    s3_endpoint: str
    bucket: str


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, s3_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    key_dir = workdir / "keys"
    key_dir.mkdir(mode=0o700)
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    bucket = servers.make_bucket(s3_server, f"academy-cluster-{workdir.name[-6:]}")
    with django_db_blocker.unblock():
        database_url = shared_database_url()
    env = servers.production_env(
        database_url=database_url,
        key_dir=key_dir,
        mail_dir=mail_dir,
        extra=servers.s3_env(s3_server, bucket),
    )
    servers.collectstatic(env)
    created = servers.manage(env, "createcachetable")
    assert created.returncode == 0, created.stderr
    a = servers.start_app_server(env, workdir, "app-a")
    b = servers.start_app_server(env, workdir, "app-b")
    yield Cluster(a, b, env, workdir, key_dir, mail_dir, s3_server, bucket)
    a.stop()
    b.stop()


class Browser:
    """One person's browser behind the load balancer, which speaks HTTPS to them and
    plain HTTP to the app servers: Host academy.test, X-Forwarded-Proto https. The
    cookies (Secure, so a plain-HTTP client would not send them) are kept here."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, server, method: str, path: str, data=None):
        headers = {
            "Host": servers.PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method == "POST":
            headers["Origin"] = f"https://{servers.PUBLIC_HOST}"
            data = {**(data or {}), "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        response = requests.request(
            method,
            f"http://127.0.0.1:{server.port}{path}",
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=60,
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, data=None):
        return self.request(server, "POST", path, data)

    def sign_in(self, server, user, password: str = PASSWORD):
        """Sign in as the user (their password hashed as production hashes it: the
        test settings' fast hasher is not one the servers accept)."""
        user.password = PBKDF2PasswordHasher().encode(password, "loopbacksalt")
        user.save(update_fields=["password"])
        email = user.email
        self.get(server, "/en/accounts/sign-in/")
        response = self.post(
            server, "/en/accounts/sign-in/", {"email": email, "password": password}
        )
        assert response.status_code == 302, response.text[:2000]
        return response


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def organisation_with_overdue_people(course_page, modules):
    org = Organisation.objects.create(
        name="Harbour Police", kind="police", jurisdiction="us", time_zone="UTC"
    )
    night = Cohort.objects.create(organisation=org, name="Night shift")
    coordinator = factories.make_user(email="coord@example.org")
    Membership.objects.create(
        user=coordinator,
        organisation=org,
        role="coordinator",
        accepted_at=timezone.now(),
    )
    for n in range(6):
        Membership.objects.create(
            user=factories.make_user(email=f"officer{n}@example.org"),
            organisation=org,
            cohort=night,
            accepted_at=timezone.now(),
        )
    Assignment.objects.create(
        organisation=org,
        course=course_page,
        cohort=night,
        assigned_by=coordinator,
        due_on=today_in(org.time_zone) - datetime.timedelta(days=3),
    )
    return org
