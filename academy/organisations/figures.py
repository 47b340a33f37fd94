"""The coordinator's figures for a whole organisation, counted by the database.

A duty is an open assignment as it applies to one current member. The dashboard's
figures (per course: assigned, completed, passed, overdue; certificates expiring)
and its status filters need every duty of the organisation, but only the page's
people need their cells drawn. So the duties are counted here in SQL, one query,
whatever the number of people, and never built in Python for everyone.

The rule is the one `progress.selectors._status_from` and `selectors._due` apply
to a person (tests/organisations/test_figures.py holds the two to the same
answers):

- done: exempted, or a valid certificate, or the current cycle's assessment
  passed (unless an older certificate ran out and nothing newer was begun);
- completed: done, or every live module of the course done in the current cycle;
- expiring: not exempted, and the latest valid certificate ends within 90 days
  with no renewal waiting;
- overdue: not done, and the due date (the latest extension, else the assignment's
  date or days after joining, moved by a held certificate) is before today.

Every date rule is turned into a moment computed here in Python (the first moment
that is not overdue), so the SQL only compares columns with parameters and runs
the same on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate
from academy.certificates.selectors import EXPIRING_DAYS
from academy.core.dates import add_months
from academy.courses.models import Enrollment, ModuleProgress

from .models import Assignment, DueExtension, Exemption, Membership, Organisation


def _midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _recurrence_start(today: date, months: int) -> date:
    """The first issue date whose renewal (`months` later) is not yet due."""
    day = add_months(today, -months) - timedelta(days=4)
    while add_months(day, months) < today:
        day += timedelta(days=1)
    return day


@dataclass
class DutySql:
    """A `WITH …` clause ending in `duties` (user_id, course_id, assignment_id,
    done, completed, overdue, expiring: 0 or 1), and its parameters."""

    sql: str
    params: dict


def duties_sql(
    *,
    organisation: Organisation,
    assignments: list[Assignment],
    modules: dict[int, list[int]],
    today: date,
    cohort_id: int | None = None,
    user_ids: list[int] | None = None,
) -> DutySql:
    """`assignments`: the organisation's open assignments; `modules`: {course id:
    ids of its live modules}; `today`: in the organisation's time zone; `user_ids`:
    only these members (a page of the dashboard), else everyone."""
    ops = connection.ops
    now = datetime.now(UTC)
    tz = zoneinfo.ZoneInfo(organisation.time_zone or "UTC")

    def moment(value: datetime):
        return ops.adapt_datetimefield_value(value)

    course_ids = sorted({a.course_id for a in assignments}) or [0]
    module_ids = sorted({m for ids in modules.values() for m in ids}) or [0]
    t = {
        "membership": Membership._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "progress": ModuleProgress._meta.db_table,
        "attempt": Attempt._meta.db_table,
        "certificate": Certificate._meta.db_table,
        "exemption": Exemption._meta.db_table,
        "extension": DueExtension._meta.db_table,
        "assignment": Assignment._meta.db_table,
    }
    params: dict = {}

    def p(value) -> str:
        name = f"p{len(params)}"
        params[name] = value
        return f"%({name})s"

    def in_list(values) -> str:
        return "(" + ", ".join(p(v) for v in values) + ")"

    members = (
        f"SELECT mm.user_id, mm.cohort_id, mm.joined_at FROM {t['membership']} mm "
        f"WHERE mm.organisation_id = {p(organisation.pk)} "
        "AND mm.accepted_at IS NOT NULL AND mm.removed_at IS NULL "
        "AND mm.declined_at IS NULL"
    )
    if cohort_id:
        members += f" AND mm.cohort_id = {p(cohort_id)}"
    if user_ids is not None:
        members += f" AND mm.user_id IN {in_list(user_ids or [0])}"
    courses_in = in_list(course_ids)
    enrollments = (
        f"SELECT e.id, e.user_id, e.course_id FROM {t['enrollment']} e "
        "JOIN members m ON m.user_id = e.user_id "
        f"WHERE e.course_id IN {courses_in} AND NOT EXISTS ("
        f"SELECT 1 FROM {t['enrollment']} e2 WHERE e2.user_id = e.user_id "
        "AND e2.course_id = e.course_id AND e2.cycle > e.cycle)"
    )
    # Joins and groups rather than a subquery per row: PostgreSQL hashes them, and
    # SQLite looks each up by index.
    enrollment_facts = (
        "SELECT enr.id, enr.user_id, enr.course_id, "
        "COALESCE(done.n, 0) AS modules_done, "
        "CASE WHEN won.enrollment_id IS NULL THEN 0 ELSE 1 END AS passed, "
        # One certificate per cycle at most (certificates_one_per_cycle).
        "cc.issued_at AS cycle_issued, cc.expires_at AS cycle_expires, "
        "cc.revoked_at AS cycle_revoked "
        "FROM enr "
        # CROSS JOIN: SQLite starts from these people's enrolments, not from
        # everyone's progress or attempts (PostgreSQL orders joins as it likes).
        "LEFT JOIN (SELECT mp.enrollment_id, COUNT(*) AS n "
        f"FROM enr e3 CROSS JOIN {t['progress']} mp WHERE mp.enrollment_id = e3.id "
        "AND mp.completed_at IS NOT NULL "
        f"AND +mp.module_id IN {in_list(module_ids)} GROUP BY mp.enrollment_id) done "
        "ON done.enrollment_id = enr.id "
        "LEFT JOIN (SELECT DISTINCT att.enrollment_id "
        f"FROM enr e4 CROSS JOIN {t['attempt']} att WHERE att.enrollment_id = e4.id "
        "AND att.passed) won ON won.enrollment_id = enr.id "
        f"LEFT JOIN {t['certificate']} cc ON cc.enrollment_id = enr.id"
    )
    at = p(moment(now))
    valid = f"c.valid_from <= {at} AND c.expires_at > {at}"
    certificates = (
        "SELECT c.id, c.user_id, c.course_id, c.issued_at, c.valid_from, "
        "c.expires_at, "
        f"CASE WHEN {valid} THEN 1 ELSE 0 END AS valid, "
        "ROW_NUMBER() OVER (PARTITION BY c.user_id, c.course_id "
        "ORDER BY c.valid_from DESC, c.id DESC) AS rank_all, "
        "ROW_NUMBER() OVER (PARTITION BY c.user_id, c.course_id, "
        f"CASE WHEN {valid} THEN 1 ELSE 0 END "
        "ORDER BY c.valid_from DESC, c.id DESC) AS rank_same "
        f"FROM {t['certificate']} c JOIN members m ON m.user_id = c.user_id "
        # `+c.course_id`: look certificates up by person (the members), not by
        # course (everyone's).
        f"WHERE c.revoked_at IS NULL AND +c.course_id IN {in_list(course_ids)}"
    )
    soon = moment(now + timedelta(days=EXPIRING_DAYS))
    certificate_facts = (
        "SELECT user_id, course_id, MAX(valid) AS valid, "
        f"MAX(CASE WHEN valid = 1 AND rank_same = 1 AND expires_at < {p(soon)} "
        "THEN 1 ELSE 0 END) AS ending, "
        f"MAX(CASE WHEN valid_from > {at} THEN 1 ELSE 0 END) AS ahead, "
        "MAX(CASE WHEN rank_all = 1 THEN issued_at END) AS last_issued, "
        "MAX(CASE WHEN rank_all = 1 THEN expires_at END) AS last_expires, "
        "MAX(CASE WHEN rank_all = 1 THEN valid_from END) AS last_from, "
        "MAX(CASE WHEN rank_all = 1 THEN id END) AS last_id, "
        # The valid certificate that counts (the latest to begin), for the rows.
        "MAX(CASE WHEN valid = 1 AND rank_same = 1 THEN issued_at END) "
        "AS valid_issued, "
        "MAX(CASE WHEN valid = 1 AND rank_same = 1 THEN expires_at END) "
        "AS valid_expires, "
        "MAX(CASE WHEN valid = 1 AND rank_same = 1 THEN valid_from END) "
        "AS valid_from, "
        "MAX(CASE WHEN valid = 1 AND rank_same = 1 THEN id END) AS valid_id "
        "FROM certs GROUP BY user_id, course_id"
    )
    facts = (
        "SELECT m.user_id, a.id AS assignment_id, a.course_id, m.joined_at, "
        "CASE WHEN x.id IS NULL THEN 0 ELSE 1 END AS exempt, "
        "x.kind AS exempt_kind, "
        "CASE WHEN ef.id IS NULL THEN 0 ELSE 1 END AS enrolled, "
        "ef.cycle_issued, ef.cycle_expires, ef.cycle_revoked, "
        "cf.last_from, cf.last_id, cf.valid_issued, cf.valid_expires, "
        "cf.valid_from, cf.valid_id, "
        "COALESCE(cf.valid, 0) AS valid, COALESCE(cf.ending, 0) AS ending, "
        "COALESCE(cf.ahead, 0) AS ahead, "
        "CASE WHEN COALESCE(cf.valid, 0) = 0 AND cf.last_issued IS NOT NULL "
        "AND (ef.id IS NULL OR ef.cycle_issued IS NOT NULL) THEN 1 ELSE 0 END "
        "AS expired, "
        "COALESCE(ef.passed, 0) AS passed, "
        "COALESCE(ef.modules_done, 0) AS modules_done, "
        "cf.last_issued, cf.last_expires, "
        "COALESCE(cf.last_issued, ef.cycle_issued) AS cert_issued, "
        "de.due_on AS extended_to "
        "FROM members m "
        f"JOIN {t['assignment']} a ON a.id IN "
        f"{in_list([a.pk for a in assignments] or [0])} "
        "AND (a.user_id = m.user_id OR "
        "(a.cohort_id IS NOT NULL AND a.cohort_id = m.cohort_id)) "
        "LEFT JOIN enr_facts ef ON ef.user_id = m.user_id "
        "AND ef.course_id = a.course_id "
        "LEFT JOIN cert_facts cf ON cf.user_id = m.user_id "
        "AND cf.course_id = a.course_id "
        # One exemption per organisation, person and course (a unique constraint).
        f"LEFT JOIN {t['exemption']} x ON x.organisation_id = {p(organisation.pk)} "
        "AND x.user_id = m.user_id AND x.course_id = a.course_id "
        # The latest extension of this assignment for this person.
        f"LEFT JOIN {t['extension']} de ON de.assignment_id = a.id "
        "AND de.user_id = m.user_id AND NOT EXISTS ("
        f"SELECT 1 FROM {t['extension']} d2 WHERE d2.assignment_id = de.assignment_id "
        "AND d2.user_id = de.user_id AND (d2.created_at > de.created_at OR "
        "(d2.created_at = de.created_at AND d2.id > de.id)))"
    )
    done = "(f.exempt = 1 OR f.valid = 1 OR (f.passed = 1 AND f.expired = 0))"
    total = (
        " ".join(
            f"WHEN {p(course)} THEN {p(len(ids))}" for course, ids in modules.items()
        )
        or "WHEN 0 THEN 0"
    )
    complete = (
        f"(CASE f.course_id {total} ELSE 0 END) > 0 AND "
        f"f.modules_done >= (CASE f.course_id {total} ELSE 0 END)"
    )
    overdue_when = []
    true, false = "(1 = 1)", "(1 = 0)"
    utc_today = p(moment(_midnight(today, UTC)))
    local_today = p(ops.adapt_datefield_value(today))
    for a in assignments:
        if a.due_on is not None:
            base = true if a.due_on < today else false
        else:
            # Due `days` after joining (or after being assigned, if later): overdue
            # once both moments are before the start of (today - days) locally.
            start = _midnight(today - timedelta(days=a.due_days_after_joining or 0), tz)
            base = (
                f"(f.joined_at < {p(moment(start))})" if a.created_at < start else false
            )
        rule = f"WHEN f.extended_to IS NOT NULL THEN f.extended_to < {local_today} "
        if a.recurrence_months:
            renewal = _midnight(_recurrence_start(today, a.recurrence_months), UTC)
            rule += (
                "WHEN f.cert_issued IS NOT NULL THEN "
                f"f.cert_issued < {p(moment(renewal))} "
            )
        rule += (
            f"WHEN f.last_issued IS NOT NULL THEN {base} "
            f"AND f.last_expires < {utc_today} ELSE {base}"
        )
        overdue_when.append(f"WHEN {p(a.pk)} THEN (CASE {rule} END)")
    overdue = (
        f"CASE WHEN {done} THEN 0 WHEN (CASE f.assignment_id "
        f"{' '.join(overdue_when) or 'WHEN 0 THEN (1 = 0)'} ELSE (1 = 0) END) "
        "THEN 1 ELSE 0 END"
    )
    duties = (
        "SELECT f.user_id, f.course_id, f.assignment_id, "
        f"CASE WHEN {done} THEN 1 ELSE 0 END AS done, "
        f"CASE WHEN {done} OR ({complete}) THEN 1 ELSE 0 END AS completed, "
        f"{overdue} AS overdue, "
        "CASE WHEN f.exempt = 0 AND f.valid = 1 AND f.ending = 1 AND f.ahead = 0 "
        "THEN 1 ELSE 0 END AS expiring "
        "FROM facts f"
    )
    sql = (
        f"WITH members AS ({members}), enr AS MATERIALIZED ({enrollments}), "
        f"enr_facts AS MATERIALIZED ({enrollment_facts}), certs AS ({certificates}), "
        f"cert_facts AS MATERIALIZED ({certificate_facts}), "
        f"facts AS MATERIALIZED ({facts}), "
        f"duties AS ({duties})"
    )
    return DutySql(sql=sql, params=params)


# Counted figures are kept in the shared cache (every app server sees the same).
# The coordinator's own changes (people, assignments, exemptions, extensions) count
# again at once, on the request that first needs them: they show the coordinator what
# they just did. Learners' activity (a new enrolment, module, attempt or certificate
# anywhere: the second half of `_fingerprint`), a new day in the organisation's time
# zone (what is overdue moves) and age (a module completed in place) do not hold the
# page up: the figures last counted are shown, marked as being counted again, and the
# view asks for a count in the background (services.figures_recount_soon). So a
# dashboard at 10,000 people costs what it does at 100 however busy the learners are;
# only "Count again now", the first count and a coordinator's own change count while
# the coordinator waits.
FIGURES_SECONDS = 300  # counted again (in the background) when older than this
# Older than this, the figures are counted before the page is shown whatever the
# reason: a queue that is down or behind never leaves a coordinator reading figures
# more than an hour old.
FIGURES_KEPT_SECONDS = 3600
# How long `recounting_key` stays set if no worker clears it (one died mid-count).
RECOUNTING_SECONDS = 600


def recounting_key(
    organisation_id: int, cohort_id: int | None, course_id: int | None, status: str
) -> str:
    """Set while a count of one dashboard's figures (these filters) is waiting in
    the queue or running, so that views in the meantime ask for no more."""
    return (
        f"academy:coordinate:recounting:{organisation_id}:{cohort_id}:{course_id}:"
        f"{status}"
    )


def _fingerprint(organisation: Organisation) -> tuple:
    """(what changes when the organisation's people, assignments, exemptions or
    extensions change; what changes when anyone's training gains a row): one query
    on indexed columns."""
    t = {
        "membership": Membership._meta.db_table,
        "assignment": Assignment._meta.db_table,
        "exemption": Exemption._meta.db_table,
        "extension": DueExtension._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "progress": ModuleProgress._meta.db_table,
        "attempt": Attempt._meta.db_table,
        "certificate": Certificate._meta.db_table,
    }
    org = "organisation_id = %(org)s"
    own = [
        f"(SELECT COUNT(*) FROM {t['membership']} WHERE {org})",
        f"(SELECT MAX(updated_at) FROM {t['membership']} WHERE {org})",
        f"(SELECT COUNT(*) FROM {t['assignment']} WHERE {org})",
        f"(SELECT MAX(updated_at) FROM {t['assignment']} WHERE {org})",
        f"(SELECT COUNT(*) FROM {t['exemption']} WHERE {org})",
        f"(SELECT MAX(id) FROM {t['exemption']} WHERE {org})",
        f"(SELECT MAX(de.id) FROM {t['extension']} de JOIN {t['assignment']} a "
        f"ON a.id = de.assignment_id WHERE a.{org})",
    ]
    activity = [
        f"(SELECT MAX(id) FROM {t['enrollment']})",
        f"(SELECT MAX(id) FROM {t['progress']})",
        f"(SELECT MAX(id) FROM {t['attempt']})",
        f"(SELECT MAX(id) FROM {t['certificate']})",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(own + activity), {"org": organisation.pk})
        row = [str(v) for v in cursor.fetchone()]
    return tuple(row[: len(own)]), tuple(row[len(own) :])


@dataclass
class Counted:
    """Rows a query counted, when, and whether newer figures are wanted (learners'
    activity since, another day, or older than FIGURES_SECONDS: the caller has them
    counted again)."""

    rows: list
    at: datetime
    stale: bool


def counted(
    *,
    organisation: Organisation,
    key: tuple,
    today: date,
    sql: DutySql,
    query: str,
    params: dict | None = None,
    fresh: bool = False,
) -> Counted:
    """The rows of `{sql} {query}`, kept in the shared cache (see FIGURES_SECONDS);
    `key` says what the query depends on besides the organisation's data and the day
    `sql` was made for (`today`); `fresh` counts again now."""
    own, activity = _fingerprint(organisation)
    digest = hashlib.sha256(
        repr((organisation.pk, organisation.created_at, key, query) + own).encode()
    ).hexdigest()
    cache_key = f"academy:coordinate:figures:{digest}"
    now = datetime.now(UTC)
    found = None if fresh else cache.get(cache_key)
    if found is not None:
        rows, at, seen = found
        age = (now - at).total_seconds()
        if age < FIGURES_KEPT_SECONDS:
            stale = seen != (activity, today) or age >= FIGURES_SECONDS
            return Counted(rows, at, stale=stale)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql.sql} {query}", {**sql.params, **(params or {})})
        rows = [tuple(row) for row in cursor.fetchall()]
    cache.set(cache_key, (rows, now, (activity, today)), FIGURES_KEPT_SECONDS)
    return Counted(rows, now, stale=False)
