"""A stalled task queue (jobs nobody takes) shows on /healthz?deep=1 and on the
admin's dashboard; /healthz itself stays a cheap database check."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from academy.organisations.tasks import reminder_send

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    """The academy's tasks on the database queue, as in production (no worker runs
    in these tests, so what is enqueued waits)."""
    settings.TASKS = {
        **settings.TASKS,
        "academy": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        },
    }


def _enqueue_waiting(minutes: int) -> None:
    result = reminder_send.enqueue(1, "overdue:1:2026-01-01", "overdue")
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_shallow_healthz_does_not_look_at_the_queue(client, database_queue):
    _enqueue_waiting(60)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_deep_healthz_is_ok_while_jobs_are_taken_in_time(client, database_queue):
    _enqueue_waiting(2)
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200
    assert response.json()["queue"] == {
        "backend": "database",
        "waiting": 1,
        "stalled": 0,
        "oldest_waiting_minutes": None,
        "broker": "ok",
    }


def test_deep_healthz_answers_503_when_jobs_wait_over_ten_minutes(
    client, database_queue
):
    _enqueue_waiting(2)
    _enqueue_waiting(25)
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["queue"]["stalled"] == 1 and body["queue"]["waiting"] == 2
    assert body["queue"]["oldest_waiting_minutes"] == 25
    assert "waited more than 10 minutes: is the task worker running?" in body["detail"]


def test_a_deferred_job_is_not_stalled_before_it_falls_due(client, database_queue):
    reminder_send.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue(
        1, "overdue:1:2026-01-01", "overdue"
    )
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert client.get("/healthz?deep=1").status_code == 200


def test_the_admin_dashboard_warns_administrators_of_a_stalled_queue(
    client, database_queue
):
    factories.make_home()
    admin = factories.make_user(is_superuser=True, is_staff=True)
    editor = factories.make_user()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(admin)
    assert (
        "Background work is not being done"
        not in client.get("/admin/").content.decode()
    )

    _enqueue_waiting(30)
    page = client.get("/admin/").content.decode()
    assert "Background work is not being done" in page
    assert "1 job has waited more than 10 minutes (the oldest 30 minutes)." in page

    client.force_login(editor)  # an editor has nothing to do about it
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Background work is not being done" not in response.content.decode()
