"""Bulk issuance, part of `make bench`: learners who have earned a certificate and
have none yet (as an import or an outage leaves them), issued on the configured
database.

  - grant: certificates_issue_bulk, the rows only (certificate, code and status
    index, audit event), in this process;
  - grant + PDF, one core: the grant, then every PDF rendered here;
  - grant + PDF through the queue (PostgreSQL only): what `manage.py
    issue_certificates` queues, run by two `db_worker` processes (production
    settings) side by side, timed from the first task queued to the last PDF stored.

ACADEMY_BENCH_CERTIFICATES sets how many certificates each figure issues (1,000)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CERTIFICATES = int(os.environ.get("ACADEMY_BENCH_CERTIFICATES", "1000"))
WORKERS = 2
BATCH = 100  # enrolments a task: ten tasks shared by the workers


def run(*, course, assessment, snapshot: dict) -> None:
    from django.db import connection

    from academy.certificates.services import (
        certificates_issue_bulk,
        certificates_pdf_ensure,
    )
    from tests.factories import make_earned_enrollments

    def earned() -> list[int]:
        enrollments = make_earned_enrollments(
            course=course, assessment=assessment, n=CERTIFICATES, snapshot=snapshot
        )
        return [e.pk for e in enrollments]

    n = CERTIFICATES
    ids = earned()
    start, cpu = time.perf_counter(), _cpu_seconds()
    result = certificates_issue_bulk(enrollment_ids=ids)
    grant, grant_cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    if len(result.issued) != n:
        raise SystemExit(f"bench: {len(result.issued)} certificates issued of {n}")
    start, cpu = time.perf_counter(), _cpu_seconds()
    certificates_pdf_ensure(certificates=result.issued)
    render, render_cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    print(f"Bulk issuance, {n} certificates ({connection.vendor}):")
    print(f"  grant (rows only)                {n / grant:8.0f} certificates a second")
    print(
        f"  grant + PDF, one process         {n / (grant + render):8.0f} certificates"
        f" a second  (PDF {render / n * 1000:.1f} ms each)"
    )
    print(
        f"  CPU a certificate (this process and its database server process): "
        f"grant {grant_cpu / n * 1000:.2f} ms, PDF {render_cpu / n * 1000:.2f} ms;"
        f" {WORKERS} idle cores: {WORKERS * n / grant_cpu:.0f} grants or "
        f"{WORKERS * n / (grant_cpu + render_cpu):.0f} grants + PDFs a second"
    )
    if connection.vendor != "postgresql":
        print("  grant + PDF through the queue    (PostgreSQL only: DATABASE_URL)")
        return
    rate = _through_the_queue(earned())
    print(
        f"  grant + PDF, {WORKERS} queue workers     {rate:8.0f} certificates a second"
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its PostgreSQL server process (when that runs
    on this machine): what the work costs, whatever else shares the cores."""
    from django.db import connection

    used = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if stat.exists():  # fields 14 and 15: user and system time, in ticks
            fields = stat.read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def _through_the_queue(ids: list[int]) -> float:
    """Queue the backfill as issue_certificates does and let WORKERS db_worker
    processes run it; certificates a second, first task queued to last PDF stored."""
    from django.conf import settings
    from django.db import connection
    from django_tasks_db.backend import DatabaseBackend

    from academy.certificates.models import Certificate
    from academy.certificates.tasks import certificates_backfill

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "academy.settings.production",
        "DJANGO_SECRET_KEY": "bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "ACADEMY_PUBLIC_URL": settings.ACADEMY_PUBLIC_URL,
        "ACADEMY_SIGNING_KEY_DIR": str(settings.ACADEMY_SIGNING_KEY_DIR),
        "ACADEMY_PRIVATE_FILES_DIR": str(settings.ACADEMY_PRIVATE_FILES_DIR),
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
            f"/{db['NAME']}"
        ),
    }
    logs = [tempfile.NamedTemporaryFile(suffix=".log") for _ in range(WORKERS)]
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--backend", "academy"]
            + ["--interval", "0.05", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 120
        while not all(
            b"Starting worker" in Path(log.name).read_bytes() for log in logs
        ):
            if time.monotonic() > deadline or any(
                w.poll() is not None for w in workers
            ):
                raise SystemExit("bench: the queue workers did not start")
            time.sleep(0.1)
        queue = DatabaseBackend("academy", {"QUEUES": ["default"]})
        start = time.perf_counter()
        for first in range(0, len(ids), BATCH):
            queue.enqueue(certificates_backfill, [ids[first : first + BATCH]], {})
        rendered = Certificate.objects.filter(enrollment_id__in=ids).exclude(
            pdf_sha256=""
        )
        while rendered.count() < len(ids):
            if time.monotonic() > deadline + 600:
                raise SystemExit("bench: the queue did not finish in 10 minutes")
            time.sleep(0.05)
        return len(ids) / (time.perf_counter() - start)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        for log in logs:
            log.close()
