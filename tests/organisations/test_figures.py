"""The coordinator's figures at any size: counted by the database with the same rule
as each person's row, paginated with the counts still right, the same number of
queries for 5 people as for 40, and exports that carry every row."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate
from academy.core.models import User
from academy.courses.models import Enrollment, ModuleProgress
from academy.organisations import selectors
from academy.organisations.models import (
    Assignment,
    Cohort,
    DueExtension,
    Exemption,
    Membership,
)

from .. import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def _member(org, cohort, name, joined=None):
    user = factories.make_user(full_name=name)
    Membership.objects.create(
        user=user,
        organisation=org,
        cohort=cohort,
        accepted_at=NOW,
        joined_at=joined or NOW,
    )
    return user


def _enrol(user, course, modules, done: int, cycle: int = 1):
    enrollment = Enrollment.objects.create(
        user=user, course=course, started_at=NOW - 3 * DAY, cycle=cycle
    )
    for module in modules[: max(done, 1)]:
        ModuleProgress.objects.create(
            enrollment=enrollment,
            module=module,
            started_at=NOW - 3 * DAY,
            last_viewed_at=NOW - 3 * DAY,
            completed_at=NOW - 2 * DAY if done else None,
        )
    return enrollment


def _certificate(user, course, **dates):
    certificate = factories.make_certificate(user=user, course_key=course.content_key)
    Certificate.objects.filter(pk=certificate.pk).update(**dates)
    return certificate


@pytest.fixture
def everyone(org, night, coordinator, course_page, modules, assigned):
    """People in every state a duty can be in, on two courses: one assigned to the
    night shift with a date ten days ago, the other due 30 days after joining and
    renewed yearly (and assigned to one person individually as well)."""
    course, second = course_page, factories.make_course(title="Second course")
    second_modules = [factories.make_module(course=second, languages=("en",))]
    yearly = Assignment.objects.create(
        organisation=org,
        course=second,
        cohort=night,
        assigned_by=coordinator,
        due_days_after_joining=30,
        recurrence_months=12,
    )
    Assignment.objects.filter(pk=yearly.pk).update(created_at=NOW - 400 * DAY)
    day = Cohort.objects.create(organisation=org, name="Day shift")
    m = {}
    for name in [
        "Not started",
        "One module",
        "All modules",
        "Passed",
        "Certified",
        "Expiring",
        "Expired",
        "Expired, began again",
        "Revoked",
        "Exempt",
        "Extended ahead",
        "Extended behind",
        "Renewal waiting",
        "Joined today",
    ]:
        m[name] = _member(
            org, night, name, joined=NOW if name == "Joined today" else NOW - 90 * DAY
        )
    _member(org, day, "Day person")
    _enrol(m["One module"], course, modules, done=0)
    _enrol(m["All modules"], course, modules, done=len(modules))
    passed = _enrol(m["Passed"], course, modules, done=len(modules))
    certificate = _certificate(m["Certified"], course)
    Attempt.objects.create(
        user=m["Passed"],
        assessment=certificate.attempt.assessment,
        enrollment=passed,
        number=1,
        started_at=NOW - DAY,
        declared_own_work_at=NOW - DAY,
        submitted_at=NOW - DAY,
        snapshot={},
        passed=True,
        scores={"parts": [], "passed": True},
    )
    _certificate(
        m["Expiring"], course, valid_from=NOW - 600 * DAY, expires_at=NOW + 60 * DAY
    )
    for name in ("Expired", "Expired, began again"):
        for on in (course, second):
            _certificate(
                m[name],
                on,
                issued_at=NOW - 800 * DAY,
                valid_from=NOW - 800 * DAY,
                expires_at=NOW - 70 * DAY,
            )
    _enrol(m["Expired, began again"], course, modules, done=1, cycle=2)
    _certificate(m["Revoked"], course, revoked_at=NOW, revoked_reason="Error")
    Exemption.objects.create(
        organisation=org,
        user=m["Exempt"],
        course=course,
        kind="exemption",
        reason="Prior training",
        recorded_by=coordinator,
    )
    for name, due in (("Extended ahead", 10), ("Extended behind", -2)):
        DueExtension.objects.create(
            assignment=assigned,
            user=m[name],
            due_on=selectors.today_in(org.time_zone) + due * DAY,
            granted_by=coordinator,
        )
    _certificate(
        m["Renewal waiting"],
        course,
        valid_from=NOW - 600 * DAY,
        expires_at=NOW + 30 * DAY,
    )
    _certificate(
        m["Renewal waiting"],
        course,
        valid_from=NOW + 30 * DAY,
        expires_at=NOW + 760 * DAY,
    )
    _certificate(m["Certified"], second, issued_at=NOW - 13 * 30 * DAY)
    _enrol(m["One module"], second, second_modules, done=1)
    Assignment.objects.create(
        organisation=org,
        course=second,
        user=m["One module"],
        assigned_by=coordinator,
        due_on=selectors.today_in(org.time_zone) - 3 * DAY,
    )
    return m


def _expected(org, *, course_id=None, status=""):
    """What the dashboard showed when it built every person's row in Python."""
    people = list(selectors.members(organisation=org))
    duties = selectors.duties(organisation=org, memberships=people)
    stats = {}
    for d in duties:
        s = stats.setdefault(d.assignment.course.title, [0, 0, 0, 0])
        s[0] += 1
        s[1] += d.status.modules_complete or d.done
        s[2] += d.done
        s[3] += d.overdue
    courses = {d.assignment.course_id for d in duties}
    shown = [c for c in courses if not course_id or c == course_id]
    kept = []
    for m in people:
        row = [
            d
            for d in duties
            if d.membership.user_id == m.user_id and d.assignment.course_id in shown
        ]
        keep = {
            "": True,
            "overdue": any(d.overdue for d in row),
            "done": all(d.done for d in row),
            "open": not all(d.done for d in row),
            "expiring": any(d.expiring for d in row),
        }[status]
        if keep:
            kept.append(m.user.full_name)
    return {
        "stats": stats,
        "overdue": sum(d.overdue for d in duties),
        "expiring": sum(d.expiring for d in duties),
        "people": kept,
    }


@pytest.mark.parametrize("status", ["", "overdue", "open", "done", "expiring"])
def test_the_database_counts_what_each_persons_row_shows(org, everyone, status):
    expected = _expected(org, status=status)
    data = selectors.overview(organisation=org, status=status, per_page=100)
    assert {
        s.course.title: [s.assigned, s.completed, s.passed, s.overdue]
        for s in data["stats"]
    } == expected["stats"]
    assert data["overdue_count"] == expected["overdue"] > 0
    assert data["expiring_count"] == expected["expiring"] == 1
    assert [r["membership"].user.full_name for r in data["rows"]] == expected["people"]
    course = data["all_courses"][0]
    narrowed = selectors.overview(
        organisation=org, course_id=course.pk, status=status, per_page=100
    )
    assert [r["membership"].user.full_name for r in narrowed["rows"]] == _expected(
        org, course_id=course.pk, status=status
    )["people"]


def test_figures_are_kept_for_a_while_and_counted_again_on_request(
    org, coordinator, assigned, everyone
):
    def figures(**kwargs):
        data = selectors.overview(organisation=org, **kwargs)
        return data["overdue_count"], data["expiring_count"]

    overdue, expiring = figures()
    # A change the quick check does not see (a date moved in place) waits for the
    # next count; asking to count again counts at once.
    Certificate.objects.filter(user=everyone["Expiring"]).update(
        expires_at=NOW + 400 * DAY
    )
    assert figures() == (overdue, expiring)
    assert figures(fresh=True) == (overdue, expiring - 1)
    # The coordinator's own changes count at once.
    Exemption.objects.create(
        organisation=org,
        user=everyone["Not started"],
        course=assigned.course,
        kind="exemption",
        reason="Prior training",
        recorded_by=coordinator,
    )
    assert figures() == (overdue - 1, expiring - 1)


RECOUNTING = "and being counted again: reload the page in a minute"
DUMMY_QUEUE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "academy": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
}


@pytest.fixture
def queue(settings, client, coordinator):
    """The academy's task queue keeping what is asked of it (no worker runs), and
    the coordinator signed in."""
    from django_tasks import task_backends

    settings.TASKS = DUMMY_QUEUE
    client.force_login(coordinator)
    return task_backends["academy"]


def _dashboard(client) -> tuple[int, bool]:
    """(assignments overdue, whether the page says the figures are being counted
    again), as the coordinator reads them."""
    response = client.get("/en/coordinate/")
    assert response.status_code == 200
    return response.context["overdue_count"], RECOUNTING in response.content.decode()


def test_learners_activity_shows_the_last_figures_while_the_queue_counts_again(
    client, queue, org, everyone, assigned
):
    from academy.organisations.tasks import figures_recount_task

    overdue, recounting = _dashboard(client)
    assert not recounting and not queue.results
    # A learner gains a certificate: the page is not held up counting everyone
    # again; it shows the figures it has, says so, and asks the queue once.
    _certificate(everyone["Not started"], assigned.course)
    assert _dashboard(client) == (overdue, True)
    assert _dashboard(client) == (overdue, True)
    assert [r.args for r in queue.results] == [[org.pk, None, None, ""]]
    # The worker counts; the next view shows the new figures.
    figures_recount_task.call(*queue.results[0].args)
    assert _dashboard(client) == (overdue - 1, False)
    # And the next activity asks again (the first count is no longer waiting).
    _certificate(everyone["One module"], assigned.course)
    assert _dashboard(client) == (overdue - 1, True)
    assert len(queue.results) == 2


def test_with_a_worker_the_next_view_shows_the_activity(
    client, coordinator, everyone, assigned
):
    client.force_login(coordinator)
    overdue, _recounting = _dashboard(client)
    _certificate(everyone["Not started"], assigned.course)
    assert _dashboard(client) == (overdue, True)  # the queue counts meanwhile
    assert _dashboard(client) == (overdue - 1, False)


class DownQueue(DummyBackend):
    """A queue whose broker cannot be reached."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("broker unreachable")


def test_a_queue_that_is_down_leaves_the_dashboard_up(
    client, coordinator, everyone, assigned, settings, caplog
):
    client.force_login(coordinator)
    overdue, _recounting = _dashboard(client)
    settings.TASKS = {
        **DUMMY_QUEUE,
        "academy": {"BACKEND": f"{__name__}.DownQueue"},
    }
    _certificate(everyone["Not started"], assigned.course)
    assert _dashboard(client) == (overdue, True)
    assert "Could not ask the queue" in caplog.text
    assert _dashboard(client) == (overdue, True)  # asked again, still up


def test_figures_older_than_an_hour_are_counted_before_the_page(
    client, queue, everyone, assigned, monkeypatch
):
    from academy.organisations import figures

    overdue, _recounting = _dashboard(client)
    _certificate(everyone["Not started"], assigned.course)
    # As if the queue had been down for an hour: the figures kept are too old to
    # show, so the page counts them itself.
    monkeypatch.setattr(figures, "FIGURES_KEPT_SECONDS", 0)
    assert _dashboard(client) == (overdue - 1, False)
    assert not queue.results


def test_a_new_day_shows_the_last_figures_while_the_queue_counts_again(
    client, queue, org, everyone, monkeypatch
):
    overdue, recounting = _dashboard(client)
    assert not recounting
    tomorrow = selectors.today_in(org.time_zone) + DAY
    monkeypatch.setattr(selectors, "today_in", lambda _zone: tomorrow)
    # After midnight what is overdue moves; the first view of the day is not held
    # up counting it.
    assert _dashboard(client) == (overdue, True)
    assert len(queue.results) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler"
)
def test_postgresql_compiles_no_query_just_in_time():
    # bench.coordinator at 10,000 people: compiling the figures' query took 87 ms.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def _people(org, cohort, n, start=0):
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.org", full_name=f"Bulk {i:03d}")
        for i in range(start, start + n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=org, cohort=cohort, accepted_at=NOW)
        for u in users
    )
    return users


def test_the_list_pages_with_counts_and_filters_kept(
    client, coordinator, org, night, assigned
):
    _people(org, night, 120)
    client.force_login(coordinator)
    first = client.get("/en/coordinate/?status=overdue").content.decode()
    assert "121 people" in first  # and the coordinator
    assert "Page 1 of 3" in first and "Bulk 000" in first and "Bulk 050" not in first
    assert "?status=overdue&amp;page=2" in first
    second = client.get("/en/coordinate/?status=overdue&page=2").content.decode()
    assert "Page 2 of 3" in second and "Bulk 050" in second and "Bulk 049" not in second
    done = client.get("/en/coordinate/?status=done").content.decode()
    assert "Bulk 000" not in done and "Page 1 of" not in done


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize(
    "url",
    [
        "/en/coordinate/",
        "/en/coordinate/?status=overdue",
        "/en/coordinate/?status=done&page=2",
        "/en/coordinate/export.csv",
        "/en/coordinate/export.xlsx?status=open",
    ],
)
def test_the_same_queries_for_5_people_as_for_40(
    client, coordinator, org, night, assigned, modules, url, django_assert_num_queries
):
    from django.core.cache import cache

    def grow(start, n):
        for i, user in enumerate(_people(org, night, n, start)):
            if i % 2:
                _enrol(user, assigned.course, modules, done=i % 4)
            if i % 3 == 0:
                _certificate(user, assigned.course)

    grow(0, 5)
    client.force_login(coordinator)
    _count(client, url)  # what a process reads once (the site, content types)
    cache.clear()
    at_five = _count(client, url)
    grow(5, 35)
    cache.clear()
    with django_assert_num_queries(at_five):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_every_row_read_in_batches(
    client, coordinator, org, night, assigned, fmt, monkeypatch
):
    monkeypatch.setattr(selectors, "STREAM_BATCH", 7)  # a person across batches
    Assignment.objects.create(  # two cells a person
        organisation=org,
        course=factories.make_course(title="Second course"),
        cohort=night,
        assigned_by=coordinator,
        due_on=selectors.today_in(org.time_zone) + 30 * DAY,
    )
    _people(org, night, 30)
    client.force_login(coordinator)
    response = client.get(f"/en/coordinate/export.{fmt}")
    assert response.streaming
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
    names = [row[0] for row in rows[1:]]
    assert names == sorted(names) and len(names) == 31  # and the coordinator
    assert sum(1 for row in rows if "Overdue" in row and "Not started" in row) == 30


def _rows_by_rule(org, data) -> list[dict]:
    """The dashboard's rows as each person's rule (`selectors.duties`, what a
    person's page shows) builds them: per course, the duty due first."""
    people = [r["membership"] for r in data["rows"]]
    cells: dict = {}
    for d in selectors.duties(organisation=org, memberships=people):
        key = (d.membership.user_id, d.assignment.course_id)
        current = cells.get(key)
        if current is None or (d.due_on or datetime.date.max) < (
            current.due_on or datetime.date.max
        ):
            cells[key] = d
    return [
        {
            "membership": m,
            "cells": [cells.get((m.user_id, c.pk)) for c in data["courses"]],
        }
        for m in people
    ]


@pytest.mark.parametrize("status", ["", "overdue", "done", "expiring"])
def test_the_dashboards_and_exports_cells_are_each_persons_rule(org, everyone, status):
    from academy.organisations.exports import training_record

    data = selectors.overview(organisation=org, status=status, per_page=100)
    by_rule = _rows_by_rule(org, data)
    exact = training_record(data["courses"], by_rule)
    shown = training_record(data["courses"], data["rows"])
    streamed = training_record(*selectors.matrix_rows(organisation=org, status=status))
    assert exact[0] == shown[0] == streamed[0]
    expected = list(exact[1])
    assert list(shown[1]) == expected and expected
    assert list(streamed[1]) == expected

    # What only the page shows: how many days overdue, and expiring.
    def marks(rows):
        return [
            (d.days_overdue, d.expiring) if d else None
            for r in rows
            for d in r["cells"]
        ]

    assert marks(data["rows"]) == marks(by_rule)
