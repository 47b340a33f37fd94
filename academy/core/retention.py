"""How long working records that can name a person are kept (security review I9).

Kept for good: the learning record, certificates, the audit log (they are what the
academy exists to keep). Pruned here: finished task results (arguments, return
values, tracebacks), rate-limit counters (keyed by email or address) and sign-in
failure records (account and address), each after its retention period in
settings. `manage.py prune_records` runs it; schedule it daily beside the reminders.
Import jobs need no pruning: their rows are emptied when the import finishes."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import RateCounter

RATE_WINDOW_MAX_SECONDS = 86_400  # no rate limit counts over a longer window


@dataclass(frozen=True)
class Pruned:
    task_results: int
    rate_counters: int
    sign_in_failures: int


def records_prune(*, now: datetime.datetime | None = None) -> Pruned:
    now = now or timezone.now()
    task_cutoff = now - datetime.timedelta(
        days=settings.ACADEMY_TASK_RESULT_RETENTION_DAYS
    )
    # Only finished results: a queued or running task keeps its arguments.
    tasks, _ = DBTaskResult.objects.filter(
        finished_at__isnull=False, finished_at__lt=task_cutoff
    ).delete()
    # A counter's window is its start in epoch seconds; no limit counts over more
    # than a day, so a window that started a day ago is over.
    counters, _ = RateCounter.objects.filter(
        window__lt=int(time.time()) - RATE_WINDOW_MAX_SECONDS
    ).delete()
    attempts_cutoff = now - datetime.timedelta(
        days=settings.ACADEMY_SIGN_IN_FAILURE_RETENTION_DAYS
    )
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=attempts_cutoff
    ).delete()
    return Pruned(tasks, counters, attempts)
