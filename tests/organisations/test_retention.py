"""Retention (security review I9): the task queue keeps no one's personal data, and
working records that can name a person are deleted after their retention period."""

import datetime
import json

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from academy.core import ratelimit
from academy.core.models import RateCounter
from academy.organisations.models import Assignment
from academy.organisations.selectors import today_in

pytestmark = pytest.mark.django_db

DB_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "academy": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


@pytest.fixture
def queued(settings, officer, org, assigned):
    """Reminders queued in the real database queue, as in production."""
    settings.TASKS = DB_TASKS
    officer.preferred_language = "es"
    officer.save()
    Assignment.objects.filter(pk=assigned.pk).update(
        due_on=today_in(org.time_zone) + datetime.timedelta(days=7)
    )
    call_command("send_reminders")
    return DBTaskResult.objects.all()


def run_worker(monkeypatch) -> None:
    """The academy's database worker, for one batch. Between tasks it recycles the
    database connection (close_old_connections); inside the test's transaction that
    would close the test's own PostgreSQL connection, so here it keeps it."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )
    call_command("db_worker", "--batch", "--backend", "academy", verbosity=0)


def test_queued_reminders_name_nobody(queued, officer, assigned):
    assert queued.count() == 1
    stored = json.dumps(list(queued.values("args_kwargs", "return_value")))
    for personal in (officer.email, officer.full_name, assigned.course.title):
        assert personal not in stored


def test_the_worker_writes_the_reminder_in_the_learners_language(
    queued, officer, monkeypatch
):
    mail.outbox.clear()
    run_worker(monkeypatch)
    assert [m.to for m in mail.outbox] == [[officer.email]]
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert officer.email not in json.dumps(result.return_value)
    # Spanish, as the learner chose (the command itself ran in English).
    assert "Formación" in mail.outbox[0].subject or "formación" in mail.outbox[0].body


def test_prune_records_deletes_only_what_is_past_its_period(
    queued, settings, monkeypatch
):
    settings.ACADEMY_TASK_RESULT_RETENTION_DAYS = 30
    settings.ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS = 30
    run_worker(monkeypatch)
    now = timezone.now()
    DBTaskResult.objects.update(finished_at=now - datetime.timedelta(days=31))
    call_command("send_reminders")  # sent already: not queued again
    ratelimit.hit("verify:203.0.113.7", limit=30)
    RateCounter.objects.create(key="email:old@example.org", window=0, count=3)
    for days in (31, 1):
        attempt = AccessAttempt.objects.create(
            username=f"u{days}@example.org",
            ip_address="203.0.113.8",
            user_agent="test",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=now - datetime.timedelta(days=days)
        )
    call_command("prune_records")
    assert not DBTaskResult.objects.exists()
    assert list(RateCounter.objects.values_list("key", flat=True)) == [
        "verify:203.0.113.7"
    ]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        "u1@example.org"
    ]
