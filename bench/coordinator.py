"""The coordinator's dashboard and exports at 100 and at 10,000 people × 6 courses.

    .venv/bin/python -m bench.coordinator          # alone; `make bench` runs it too

An organisation is built with bulk_create at realistic proportions: two cohorts,
each course assigned to both (one due date passed, one days-after-joining, one
recurring), about seven in ten duties started, four in ten passed, three in ten
certified (a tenth of those expiring within 90 days), a few extensions and
exemptions. Printed per size: queries and time for the dashboard, its second page,
its overdue filter, the figures counted afresh (what "Count again now", the very
first view or a coordinator's own change costs), the dashboard just after a learner's
activity (the figures kept are shown and a count asked of the queue), and for each
export its queries, time and peak Python memory
(tracemalloc, measured in a second run so that it does not slow the timed one)."""

from __future__ import annotations

import datetime
import itertools
import random
import time
import tracemalloc

from bench import in_test_database

COURSES = 6
MODULES = 4


def build_organisation(size: int, *, name: str, courses=None):
    """An organisation of `size` current members, its coordinator, and their
    training on `courses` (made when None). Returns (organisation, coordinator,
    courses)."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max
    from django.utils import timezone

    from academy.assessments.models import AssessmentPage, Attempt
    from academy.certificates.models import Certificate
    from academy.core.dates import add_months
    from academy.core.models import User
    from academy.courses.models import Enrollment, ModulePage, ModuleProgress
    from academy.organisations.models import (
        Assignment,
        Cohort,
        DueExtension,
        Exemption,
        Membership,
        Organisation,
    )
    from tests import factories

    # Status-list places after any certificate already in the database (the
    # issuance section of make bench runs first, in the same database).
    highest = Certificate.objects.aggregate(Max("status_index"))["status_index__max"]
    status_indexes = itertools.count((highest or 0) + 1)

    rng = random.Random(size)
    now = timezone.now()
    if courses is None:
        index = factories.make_catalogue()
        courses = []
        for n in range(COURSES):
            course = factories.make_course(
                index=index, title=f"Course {n}", slug=f"c{n}", content_key=f"c{n}"
            )
            for m in range(MODULES):
                factories.make_module(
                    course=course, title=f"Module {m}", languages=("en",)
                )
            factories.make_assessment(course=course)
            courses.append(course)
    modules = {
        c.pk: list(ModulePage.objects.child_of(c).order_by("path")) for c in courses
    }
    assessments = {c.pk: AssessmentPage.objects.child_of(c).get() for c in courses}
    org = Organisation.objects.create(
        name=name, kind="police", jurisdiction="us", time_zone="America/Chicago"
    )
    cohorts = [
        Cohort.objects.create(organisation=org, name=n) for n in ("Day", "Night")
    ]
    coordinator = User.objects.create_user(
        email=f"coord.{name}@example.org",
        password="x",
        full_name="Coordinator",
        email_verified_at=now,
    )
    Membership.objects.create(
        user=coordinator, organisation=org, role="coordinator", accepted_at=now
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        User(
            email=f"p{i}-{name}@example.org",
            full_name=f"Person {rng.randrange(10**6):06d}",
            password=unusable,
        )
        for i in range(size)
    )
    people = list(User.objects.filter(email__endswith=f"-{name}@example.org"))
    joined = now - datetime.timedelta(days=200)
    Membership.objects.bulk_create(
        Membership(
            user=u,
            organisation=org,
            cohort=cohorts[i % 2],
            accepted_at=joined,
            joined_at=joined - datetime.timedelta(days=rng.randrange(400)),
        )
        for i, u in enumerate(people)
    )
    today = now.date()
    for n, course in enumerate(courses):
        for cohort in cohorts:
            rule = n % 3
            Assignment.objects.create(
                organisation=org,
                course=course,
                cohort=cohort,
                assigned_by=coordinator,
                due_on=today - datetime.timedelta(days=30) if rule == 0 else None,
                due_days_after_joining=None if rule == 0 else 60,
                recurrence_months=12 if rule == 2 else None,
            )
    enrollments, plans = [], []
    for u in people:
        for course in courses:
            roll = rng.random()
            if roll > 0.7:
                continue  # not started
            started = now - datetime.timedelta(days=rng.randrange(30, 700))
            enrollments.append(Enrollment(user=u, course=course, started_at=started))
            plans.append(roll)
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    progress, attempts = [], []
    for e, roll in zip(enrollments, plans, strict=True):
        done = MODULES if roll < 0.45 else rng.randrange(MODULES)
        for module in modules[e.course_id][: max(done, 1)]:
            progress.append(
                ModuleProgress(
                    enrollment=e,
                    module=module,
                    started_at=e.started_at,
                    last_viewed_at=e.started_at,
                    completed_at=e.started_at if done else None,
                )
            )
        if roll < 0.4:
            attempts.append(
                Attempt(
                    user_id=e.user_id,
                    assessment=assessments[e.course_id],
                    enrollment=e,
                    number=1,
                    started_at=e.started_at,
                    declared_own_work_at=e.started_at,
                    submitted_at=e.started_at + datetime.timedelta(hours=1),
                    snapshot={},
                    passed=True,
                    scores={"parts": [], "passed": True},
                )
            )
    ModuleProgress.objects.bulk_create(progress, batch_size=5000)
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    certificates = []
    titles = {c.pk: c for c in courses}
    for a in attempts:
        if rng.random() > 0.75:
            continue  # passed, certificate not yet issued
        issued = a.submitted_at
        if rng.random() < 0.1:  # expiring within 90 days
            issued = now - datetime.timedelta(days=700)
        course = titles[a.enrollment.course_id]
        certificates.append(
            Certificate(
                code=f"B{name[-5:]}{len(certificates):07d}",
                user_id=a.user_id,
                enrollment=a.enrollment,
                course=course,
                attempt=a,
                cycle=1,
                holder_name="Person",
                course_key=course.content_key,
                course_title=course.title,
                course_version="1",
                contact_hours=course.contact_hours,
                language="en",
                issued_at=issued,
                valid_from=issued,
                expires_at=add_months(issued, 24),
                status_index=next(status_indexes),
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    assignments = list(Assignment.objects.filter(organisation=org))
    DueExtension.objects.bulk_create(
        DueExtension(
            assignment=a,
            user=u,
            due_on=today + datetime.timedelta(days=14),
            granted_by=coordinator,
        )
        for u in rng.sample(people, max(1, size // 50))
        for a in assignments[:1]
    )
    Exemption.objects.bulk_create(
        Exemption(
            organisation=org,
            user=u,
            course=courses[1],
            kind="exemption",
            reason="Bench",
            recorded_by=coordinator,
        )
        for u in rng.sample(people, max(1, size // 100))
    )
    return org, coordinator, courses


def _consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _once(client, url) -> float:
    start = time.perf_counter()
    response = client.get(url)
    _consume(response)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - start


PAGES = {
    "dashboard": "/en/coordinate/",
    "dashboard, page 2": "/en/coordinate/?page=2",
    "dashboard, overdue": "/en/coordinate/?status=overdue",
    "dashboard, counted afresh": "/en/coordinate/?fresh=1",
    # A learner somewhere enrolled just before each view (what a busy site looks
    # like): the figures kept are shown and a count is asked of the queue.
    "dashboard, after activity": "/en/coordinate/",
}
# The rows whose views follow a learner's activity.
AFTER_ACTIVITY = {"dashboard, after activity"}


def _activity(course) -> None:
    """A new enrolment of someone outside the organisations measured."""
    from django.utils import timezone

    from academy.courses.models import Enrollment
    from tests import factories

    Enrollment.objects.create(
        user=factories.make_user(), course=course, started_at=timezone.now()
    )


def run() -> None:
    from django.db import connection
    from django.test import Client, override_settings

    # The academy's tasks go to the database queue, as in production (the test
    # settings run them at once): a view that asks for a count pays the asking,
    # not the count. No worker runs here, so one count is asked per organisation.
    with override_settings(
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
            "academy": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        }
    ):
        _run(connection, Client)


def _run(connection, Client) -> None:

    from tests.utils import count_queries

    print("Coordinator at 100 and 10,000 people × 6 courses")
    print(f"database: {connection.vendor}")
    sizes, clients, courses = (100, 10_000), {}, None
    for size in sizes:
        start = time.perf_counter()
        _org, coordinator, courses = build_organisation(
            size, name=f"Bench{size}", courses=courses
        )
        print(f"  {size:>6} people built in {time.perf_counter() - start:.1f} s")
        clients[size] = Client()
        clients[size].force_login(coordinator)
    if connection.vendor == "postgresql":
        # Statistics for the rows just bulk-inserted, as a database that grew to
        # this size has them: planned before autovacuum's ANALYZE, the figures'
        # query nests loops over every row and runs for minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for client in clients.values():  # the site, content types and figures: once
        client.get("/en/coordinate/")
    print(
        f"  {'page (best of 7, sizes in turn)':34} {'queries':>11} "
        f"{'ms at 100':>10} {'ms at 10k':>10} {'ratio':>6}"
    )
    for label, url in PAGES.items():
        queries, best = {}, {}
        for size in sizes:
            if label in AFTER_ACTIVITY:
                _activity(courses[0])
            with count_queries() as seen:
                _once(clients[size], url)
            queries[size] = len(seen)
        for _ in range(7):  # in turn, so that the machine's load falls on both
            for size in sizes:
                if label in AFTER_ACTIVITY:
                    _activity(courses[0])
                took = _once(clients[size], url)
                best[size] = min(best.get(size, took), took)
        small, big = best[sizes[0]], best[sizes[1]]
        print(
            f"  {label:34} {queries[sizes[0]]:>4} → {queries[sizes[1]]:<4} "
            f"{small * 1000:>10.1f} {big * 1000:>10.1f} {big / small:>6.2f}"
        )
    for fmt in ("csv", "xlsx"):
        url = f"/en/coordinate/export.{fmt}"
        figures = []
        for size in sizes:
            with count_queries() as seen:
                took = _once(clients[size], url)
            tracemalloc.start()
            length = _consume(clients[size].get(url))
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            figures.append((len(seen), took, peak, length))
        (q1, t1, m1, b1), (q2, t2, m2, b2) = figures
        print(
            f"  export {fmt:4}  queries {q1} → {q2}; {t1 * 1000:.0f} ms → "
            f"{t2 * 1000:.0f} ms; peak Python memory (tracemalloc) "
            f"{m1 / 2**20:.1f} → {m2 / 2**20:.1f} MiB; "
            f"{b1 / 1024:.0f} → {b2 / 1024:.0f} KiB"
        )


def main() -> None:
    in_test_database(run)


if __name__ == "__main__":
    main()
