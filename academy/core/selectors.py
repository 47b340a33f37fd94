"""Reads about the running site itself: is background work getting done?"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from celery import current_app as celery_app
from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

ACADEMY_QUEUE = "academy"


@dataclass(frozen=True)
class QueueHealth:
    """The academy's task queue as seen now. `stalled` jobs are ready to run and
    have waited longer than ACADEMY_QUEUE_STALL_MINUTES: no worker is taking them."""

    backend: str  # "database", "celery" or "immediate"
    waiting: int | None  # ready and not started (None: this backend cannot say)
    stalled: int
    oldest_minutes: int | None  # how long the oldest stalled job has waited
    limit_minutes: int
    reachable: bool = True  # the broker answers (Celery)

    @property
    def ok(self) -> bool:
        return self.reachable and not self.stalled


def task_queue_health(*, now: datetime.datetime | None = None) -> QueueHealth:
    now = now or timezone.now()
    limit = settings.ACADEMY_QUEUE_STALL_MINUTES
    backend = task_backends[ACADEMY_QUEUE]
    if isinstance(backend, DatabaseBackend):
        return _database_queue_health(now, limit)
    if type(backend).__module__.startswith("django_tasks_fennel"):
        return QueueHealth("celery", None, 0, None, limit, _broker_reachable())
    return QueueHealth("immediate", 0, 0, None, limit)


def _database_queue_health(now: datetime.datetime, limit: int) -> QueueHealth:
    cutoff = now - datetime.timedelta(minutes=limit)
    ready = DBTaskResult.objects.filter(
        backend_name=ACADEMY_QUEUE, status="READY"
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
    # Waiting since it was enqueued or, for a deferred job, since it fell due.
    stalled = ready.filter(enqueued_at__lte=cutoff).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=cutoff)
    )
    oldest = stalled.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return QueueHealth(
        "database",
        ready.count(),
        stalled.count(),
        int((now - oldest).total_seconds() // 60) if oldest else None,
        limit,
    )


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # any broker failure means "not reachable", never a 500
        return False
    return True
