"""Rate limits counted in the database, so every app server sees the same count and
two requests at the same moment cannot both take the last place.

Each call increments the (key, window) row and reads the new count in one statement
(an INSERT … ON CONFLICT DO UPDATE … RETURNING, which PostgreSQL and SQLite 3.35+
run atomically; older SQLite locks the row in a transaction instead): with a limit
of 30, exactly 30 callers are allowed in a window, however many arrive at once
(tested with 80 threads on PostgreSQL).
django-ratelimit does not fit: its own documentation rules out the database cache,
which is the shared store this project uses, because it has no atomic increment."""

from __future__ import annotations

import functools
import sqlite3
import time
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F

from .models import RateCounter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


def hit(key: str, *, limit: int, period: int = 60, cost: int = 1) -> Verdict:
    """Count `cost` uses of `key` in the current window of `period` seconds; allowed
    while the total stays within `limit`. Retries a locked SQLite database once."""
    now = time.time()
    window = int(now // period) * period  # the window's start, in epoch seconds
    retry_after = int(period - now % period) + 1
    for attempt in range(3):
        try:
            count = _increment(key[:200], window, period, cost)
            break
        except OperationalError:  # SQLite: "database is locked"; try again
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
    return Verdict(count <= limit, count, retry_after)


def _increment(key: str, window: int, period: int, cost: int) -> int:
    if connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)
    ):
        return _upsert(key, window, period, cost)
    return _increment_locked(key, window, period, cost)


@functools.cache
def _upsert_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    table, k, w, c = (q(RateCounter._meta.db_table), q("key"), q("window"), q("count"))
    return (
        f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, %s) "
        f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + excluded.{c} "
        f"RETURNING {c}"
    )


def _upsert(key: str, window: int, period: int, cost: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(connection.vendor), [key, window, cost])
        (count,) = cursor.fetchone()
    if count == cost:  # the window's first use: an old window of this key is done
        RateCounter.objects.filter(key=key, window__lt=window - period).delete()
    return count


@transaction.atomic
def _increment_locked(key: str, window: int, period: int, cost: int) -> int:
    updated = RateCounter.objects.filter(key=key, window=window).update(
        count=F("count") + cost
    )
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, count=cost)
            # An old window of this key is done with: keep the table small.
            RateCounter.objects.filter(key=key, window__lt=window - period).delete()
            return cost
        except IntegrityError:  # another request made the row first
            RateCounter.objects.filter(key=key, window=window).update(
                count=F("count") + cost
            )
    # The update took the row's lock; the count read now is ours and stays exact.
    return RateCounter.objects.get(key=key, window=window).count
