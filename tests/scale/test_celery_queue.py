"""The academy's queue on Celery (the task framework's Celery backend,
django-tasks-fennel) with Debian's redis-server: the same task code, a Celery worker
instead of db_worker. Switched by settings alone (ACADEMY_TASK_QUEUE=celery)."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from academy.organisations.models import ReminderSent
from academy.organisations.reminders import reminders_plan
from ops import servers

from .conftest import ON_POSTGRESQL, TRANSACTIONAL, shared_database_url

pytestmark = [
    ON_POSTGRESQL,
    TRANSACTIONAL,
    pytest.mark.skipif(
        servers.redis_server_path() is None,
        reason="needs Debian's redis-server (apt-get install redis-server; .ci/run "
        "installs it)",
    ),
]


def _wait_for(predicate, what: str, seconds: float = 90) -> None:
    """A bounded wait for another process to finish its work (not a timing test)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def celery_site(tmp_path):
    redis, broker = servers.start_redis(tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir(mode=0o700)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = servers.production_env(
        database_url=shared_database_url(),
        key_dir=key_dir,
        mail_dir=mail_dir,
        extra={"ACADEMY_TASK_QUEUE": "celery", "ACADEMY_CELERY_BROKER_URL": broker},
    )
    worker = servers.start_celery_worker(env, tmp_path)
    log = tmp_path / "celery.log"
    _wait_for(lambda: " ready." in log.read_text(), "the Celery worker to start")
    yield env, mail_dir, log
    worker.stop()
    redis.stop()


def test_reminders_are_sent_by_the_celery_worker(
    celery_site, organisation_with_overdue_people
):
    env, mail_dir, log = celery_site
    planned = reminders_plan()
    queued = servers.manage(env, "send_reminders")
    assert queued.returncode == 0, queued.stderr
    assert f"Queued {len(planned)} reminder(s)." in queued.stdout

    _wait_for(
        lambda: servers.mail_count(mail_dir) == len(planned),
        "the worker to send the reminders",
    )
    assert ReminderSent.objects.count() == len(planned)
    assert not DBTaskResult.objects.exists()  # nothing went to the database queue
    assert "django_tasks:academy.organisations.tasks.reminder_send" in log.read_text()

    deep = servers.manage(
        env,
        "shell",
        "-c",
        "from academy.core.selectors import task_queue_health as h; print(h())",
    )
    assert "backend='celery'" in deep.stdout and "reachable=True" in deep.stdout
