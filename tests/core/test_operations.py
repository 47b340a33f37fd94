"""Health check, demo data and production settings: what an operator relies on."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.utils import OperationalError

from academy.core.models import AuditEvent, User
from academy.demo.seed import DEMO_PASSWORD
from academy.organisations.models import Membership

from .. import factories


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_people_once(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "[exists]" in out and DEMO_PASSWORD in out
    # The eight demo people, Harbour Logistics' twelve, and the people of the two
    # demo agencies (Riverside's sixty, Lakeside's twenty), once each.
    assert User.objects.count() == 8 + 12 + 60 + 20
    learner = User.objects.get(email="learner@example.org")
    assert learner.check_password(DEMO_PASSWORD) and learner.is_email_verified
    membership = Membership.objects.get(user=learner)
    assert membership.organisation.name == "Riverside Police Department"
    assert membership.role == "learner"
    assert (
        Membership.objects.get(user__email="coordinator@example.org").role
        == "coordinator"
    )
    assert User.objects.get(email="admin@example.org").is_superuser
    editor = User.objects.get(email="editor@example.org")
    assert editor.has_perm("wagtailadmin.access_admin") and not editor.is_superuser
    factories.make_home()
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.ACADEMY_ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="only for development"):
        call_command("seed_demo")
    assert not User.objects.exists()


def _production_check(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "ACADEMY_"))
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="academy.settings.production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "missing",
    ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "ACADEMY_PUBLIC_URL"],
)
def test_production_refuses_to_start_without_its_environment(missing):
    env = {
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "academy.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/academy",
        "ACADEMY_PUBLIC_URL": "https://academy.example.org",
        "ACADEMY_SIGNING_KEY_DIR": "/tmp/academy-keys",
    }
    assert _production_check(env).returncode == 0
    del env[missing]
    result = _production_check(env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable." in result.stderr


@pytest.mark.django_db
def test_audit_events_are_never_changed_or_deleted(learner):
    event = AuditEvent.objects.create(actor=learner, action="test.thing")
    event.action = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.django_db
def test_unknown_address_is_a_helpful_404(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
