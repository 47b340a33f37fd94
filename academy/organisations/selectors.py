"""Reads for coordinators and for learners' assigned training."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from academy.assessments.models import Accommodation, AssessmentPage
from academy.certificates.models import Certificate
from academy.core import page_cache
from academy.core.dates import add_months
from academy.core.models import User
from academy.courses.models import CoursePage
from academy.progress.selectors import (
    STATE_LABELS,
    CourseState,
    CourseStatus,
    course_status_matrix,
    course_structure,
)

from .figures import counted, duties_sql
from .models import (
    Assignment,
    Cohort,
    DueExtension,
    Exemption,
    ImportJob,
    Invitation,
    Membership,
    Organisation,
)

DONE_STATES = {CourseState.PASSED, CourseState.CERTIFIED, CourseState.EXPIRING}


def memberships_of_user(*, user: User | None) -> list[Membership]:
    """Every membership of the person (current, pending or ended), oldest first, with
    its organisation: one query. Pages read it once (`memberships_for_request`) and
    hand it to the selectors below that take `memberships`."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("joined_at", "pk")
    )


page_cache.register_person_entry("memberships")


def memberships_for_request(request) -> list[Membership]:
    """`memberships_of_user` for the signed-in person, read once per request (the
    navigation, My learning and the lesson's jurisdiction all need it) and kept for
    their next page while their rows stay as they were (core.page_cache)."""
    if not hasattr(request, "_academy_memberships"):
        user = getattr(request, "user", None)
        request._academy_memberships = (
            page_cache.person_entry(
                request, "memberships", lambda: memberships_of_user(user=user)
            )
            if getattr(user, "is_authenticated", False)
            else []
        )
    return request._academy_memberships


def user_jurisdiction(
    *, user: User, memberships: list[Membership] | None = None
) -> str:
    """Whose law applies to the person: their own choice, else that of an
    organisation they belong to, else international law."""
    if not getattr(user, "is_authenticated", False):
        return "intl"
    if user.jurisdiction:
        return user.jurisdiction
    if memberships is not None:
        membership = next((m for m in memberships if m.is_current), None)
    else:
        membership = (
            Membership.objects.current()
            .filter(user=user)
            .select_related("organisation")
            .order_by("joined_at", "pk")
            .first()
        )
    if membership:
        return membership.organisation.jurisdiction
    return "intl"


def coordinator_organisations(*, user: User) -> list[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role=Membership.Role.COORDINATOR,
            memberships__removed_at__isnull=True,
        ).order_by("name")
    )


def today_in(tz_name: str) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name or "UTC")).date()


@dataclass
class Duty:
    """One assignment as it applies to one person (a current member)."""

    assignment: Assignment
    membership: Membership
    status: CourseStatus
    due_on: date | None
    exemption: Exemption | None
    today: date

    @property
    def done(self) -> bool:
        return self.exemption is not None or self.status.state in DONE_STATES

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_on is not None and self.today > self.due_on

    @property
    def days_overdue(self) -> int:
        if not self.overdue or self.due_on is None:
            return 0
        return (self.today - self.due_on).days

    @property
    def expiring(self) -> bool:
        """Certified, and the certificate ends within 90 days with no renewal yet."""
        return self.exemption is None and self.status.state == CourseState.EXPIRING

    @property
    def expires_on(self) -> date | None:
        certificate = self.status.certificate
        return certificate.expires_at.date() if certificate is not None else None

    @property
    def label(self) -> str:
        """The cell's words, the same on the dashboard and in the exports."""
        if self.exemption is not None:
            return str(self.exemption.get_kind_display())
        if self.overdue:
            return str(_("Overdue"))
        if self.expiring and self.expires_on is not None:
            return str(
                _("Expiring on %(date)s") % {"date": self.expires_on.isoformat()}
            )
        return str(STATE_LABELS[self.status.state])

    @property
    def due_soon(self) -> bool:
        return (
            not self.done
            and self.due_on is not None
            and 0 <= (self.due_on - self.today).days <= 7
        )


def _due(
    assignment: Assignment, membership: Membership, extension, status
) -> date | None:
    if extension is not None:
        return extension.due_on
    if assignment.due_on is not None:
        base = assignment.due_on
    else:
        # Days after joining, or after the course was assigned to someone who had
        # joined before: nobody is overdue on a course assigned to them yesterday.
        tz = zoneinfo.ZoneInfo(assignment.organisation.time_zone or "UTC")
        start = max(membership.joined_at, assignment.created_at)
        base = start.astimezone(tz).date() + timedelta(
            days=assignment.due_days_after_joining or 0
        )
    certificate = getattr(status, "certificate", None)
    if assignment.recurrence_months and certificate is not None:
        return add_months(certificate.issued_at, assignment.recurrence_months).date()
    if certificate is not None and certificate.revoked_at is None:
        # Held once: due again when it runs out (a renewal is due by its expiry).
        return max(base, certificate.expires_at.date())
    return base


def _allowances(assignments: list[Assignment], users: list[int]) -> tuple[dict, dict]:
    """The due-date extensions ({(assignment, user): the latest}) and exemptions
    ({(organisation, user, course): exemption}) of these people under these
    assignments: two queries."""
    extensions = {}
    for ext in DueExtension.objects.filter(
        assignment__in=assignments, user_id__in=users
    ).order_by("created_at", "pk"):
        extensions[(ext.assignment_id, ext.user_id)] = ext  # the latest wins
    exemptions = {
        (e.organisation_id, e.user_id, e.course_id): e
        for e in Exemption.objects.filter(
            organisation_id__in={a.organisation_id for a in assignments},
            user_id__in=users,
        )
    }
    return extensions, exemptions


def _duties(
    *,
    assignments: list[Assignment],
    memberships: list[Membership],
    status_for=None,
    allowances: tuple[dict, dict] | None = None,
) -> list[Duty]:
    """Each open assignment as it applies to each of these people (assignments and
    people of one or more organisations), in a fixed number of queries. The statuses
    come from `status_for(user_id, course)` when the caller has them already, the
    extensions and exemptions from `allowances` (`_allowances`) likewise."""
    if not assignments or not memberships:
        return []
    if status_for is None:
        courses = list({a.course_id: a.course for a in assignments}.values())
        matrix = course_status_matrix(
            users=[m.user for m in memberships], courses=courses
        )

        def status_for(user_id, course):
            return matrix[(user_id, course.pk)]

    if allowances is None:
        allowances = _allowances(assignments, [m.user_id for m in memberships])
    extensions, exemptions = allowances
    today = {a.organisation_id: today_in(a.organisation.time_zone) for a in assignments}
    result = []
    for membership in memberships:
        for a in assignments:
            if a.organisation_id != membership.organisation_id:
                continue
            applies = (a.user_id == membership.user_id) or (
                a.cohort_id is not None and a.cohort_id == membership.cohort_id
            )
            if not applies:
                continue
            status = status_for(membership.user_id, a.course)
            result.append(
                Duty(
                    assignment=a,
                    membership=membership,
                    status=status,
                    due_on=_due(
                        a,
                        membership,
                        extensions.get((a.pk, membership.user_id)),
                        status,
                    ),
                    exemption=exemptions.get(
                        (a.organisation_id, membership.user_id, a.course_id)
                    ),
                    today=today[a.organisation_id],
                )
            )
    return result


def _open_assignments(organisations, *, applying_to=None) -> list[Assignment]:
    """The open assignments of these organisations; with `applying_to` (current
    memberships of one person), only those that name the person or their cohort."""
    assignments = Assignment.objects.filter(
        organisation__in=organisations, closed_at__isnull=True
    )
    if applying_to is not None:
        cohorts = [m.cohort_id for m in applying_to if m.cohort_id is not None]
        assignments = assignments.filter(
            Q(user_id__in={m.user_id for m in applying_to}) | Q(cohort_id__in=cohorts)
        )
    return list(
        assignments.select_related("course", "cohort", "assigned_by", "organisation")
    )


def duties(*, organisation: Organisation, memberships: list[Membership]) -> list[Duty]:
    """Every open assignment of the organisation, for each of these people, in a
    fixed number of queries."""
    if not memberships:
        return []
    return _duties(
        assignments=_open_assignments([organisation]), memberships=memberships
    )


page_cache.register_person_entry("duty-rows", along=False)  # My learning only


def duties_for_user(
    *,
    user,
    memberships: list[Membership] | None = None,
    status_for=None,
    request=None,
) -> list[Duty]:
    """A learner's assigned courses across their organisations, overdue first, in
    a fixed number of queries however many organisations assign them. With the
    person's `request`, the rows they are made of (the assignments, extensions and
    exemptions) are kept for their next page while their rows stay as they were
    (core.page_cache.person_entry)."""
    if memberships is None:
        memberships = memberships_of_user(user=user)
    current = [m for m in memberships if m.is_current]
    if not current:
        return []
    for m in current:
        m.user = user  # Duty.membership.user, without a query

    def rows():
        assignments = _open_assignments(
            [m.organisation_id for m in current], applying_to=current
        )
        users = [m.user_id for m in current]
        return assignments, (_allowances(assignments, users) if assignments else None)

    assignments, allowances = (
        # The assignments carry their courses (pages): kept under the content too.
        page_cache.person_entry(request, "duty-rows", rows, content=True)
        if request
        else rows()
    )
    result = _duties(
        assignments=assignments,
        memberships=current,
        status_for=status_for,
        allowances=allowances,
    )
    return sorted(result, key=lambda d: (d.done, not d.overdue, d.due_on or date.max))


def members(*, organisation: Organisation, cohort_id=None, search: str = ""):
    qs = (
        Membership.objects.current()
        .filter(organisation=organisation)
        .select_related("user", "cohort")
        .order_by("user__full_name", "pk")
    )
    if cohort_id:
        qs = qs.filter(cohort_id=cohort_id)
    if search:
        qs = qs.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    return qs


def pending_members(*, organisation: Organisation) -> list[Membership]:
    """People added who have not answered yet: name and email, nothing else."""
    return list(
        Membership.objects.pending()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def pending_memberships_for_user(
    *, user: User, memberships: list[Membership] | None = None
) -> list[Membership]:
    """Organisations waiting for the person's answer (My learning lists them)."""
    if memberships is not None:
        return [m for m in memberships if m.is_pending]
    return list(
        Membership.objects.pending().filter(user=user).select_related("organisation")
    )


def membership_pending_for_user(*, user: User, membership_id: int) -> Membership | None:
    return (
        Membership.objects.pending()
        .filter(user=user, pk=membership_id)
        .select_related("organisation")
        .first()
    )


def invitation_latest(*, membership: Membership) -> Invitation | None:
    return (
        Invitation.objects.filter(
            organisation=membership.organisation, user=membership.user
        )
        .order_by("-sent_at")
        .first()
    )


def invitations_pending(*, organisation: Organisation) -> list[Invitation]:
    return [
        i
        for i in Invitation.objects.filter(
            organisation=organisation,
            accepted_at=None,
            declined_at=None,
            withdrawn_at=None,
        ).select_related("user")
        if i.is_pending
    ]


def invitation_problem(*, invitation: Invitation | None) -> str:
    """Why a link no longer works ("" when it does)."""
    if invitation is None:
        return "invalid"
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        return "used"
    if invitation.withdrawn_at is not None:
        return "withdrawn"
    if not invitation.is_pending:
        return "expired"
    return ""


def import_job_get(*, organisation: Organisation, job_id: int) -> ImportJob | None:
    return ImportJob.objects.filter(organisation=organisation, pk=job_id).first()


def assignments_of(*, organisation: Organisation) -> list[Assignment]:
    return list(
        Assignment.objects.filter(organisation=organisation).select_related(
            "course", "cohort", "user", "assigned_by"
        )
    )


def member_get(*, organisation: Organisation, user_id: int) -> Membership | None:
    return (
        Membership.objects.filter(organisation=organisation, user_id=user_id)
        .select_related("user", "cohort")
        .first()
    )


@dataclass
class CourseStats:
    course: CoursePage
    assigned: int
    completed: int
    passed: int
    overdue: int

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0

    @property
    def pass_rate(self) -> int:
        return round(100 * self.passed / self.assigned) if self.assigned else 0


STATUS_FILTERS = {
    # Who a status filter keeps, from their duties on the courses shown.
    "overdue": "SUM(d.overdue) > 0",
    "open": "SUM(1 - d.done) > 0",
    "expiring": "SUM(d.expiring) > 0",
}


def _course_figures(*, organisation: Organisation, cohort_id=None):
    """(open assignments, the duties' SQL): see figures.py."""
    assignments = _open_assignments([organisation])
    courses = list({a.course_id: a.course for a in assignments}.values())
    modules_by_course, _assessments = course_structure(courses)
    sql = duties_sql(
        organisation=organisation,
        assignments=assignments,
        modules={pk: [m.pk for m in ms] for pk, ms in modules_by_course.items()},
        today=today_in(organisation.time_zone),
        cohort_id=cohort_id,
    )
    return assignments, sql


def _people_shown(
    *, organisation, cohort_id, status: str, shown: list[int], sql, fresh: bool
) -> tuple[list[int] | None, bool]:
    """(membership ids the status filter keeps, in the list's order (None: no
    status filter, everyone); whether they are wanted counted again)."""
    if status not in (*STATUS_FILTERS, "done"):
        return None, False
    condition = STATUS_FILTERS.get(status, STATUS_FILTERS["open"])
    courses = ", ".join(str(int(pk)) for pk in shown) or "0"
    people = members(organisation=organisation, cohort_id=cohort_id)
    found = counted(
        organisation=organisation,
        key=(cohort_id, status),
        today=today_in(organisation.time_zone),
        sql=sql,
        # The members' ids in the list's order, with whether the filter keeps them.
        query=(
            "SELECT mm.id, mm.user_id FROM "
            f"{Membership._meta.db_table} mm JOIN {User._meta.db_table} u "
            "ON u.id = mm.user_id WHERE mm.user_id IN (SELECT d.user_id FROM duties d "
            f"WHERE d.course_id IN ({courses}) GROUP BY d.user_id HAVING {condition}) "
            f"AND mm.organisation_id = %(org)s ORDER BY u.full_name, mm.id"
        ),
        params={"org": organisation.pk},
        fresh=fresh,
    )
    matched = {pk for pk, _user_id in found.rows}
    if status == "done":  # nobody with a duty still open on the courses shown
        kept = [pk for pk in people.values_list("pk", flat=True) if pk not in matched]
        return kept, found.stale
    return [pk for pk, _user_id in found.rows], found.stale


def _stats(*, organisation, cohort_id, assignments, sql, fresh: bool):
    """(figures per course by title, the figures' `Counted`)."""
    by_pk = {a.course_id: a.course for a in assignments}
    found = counted(
        organisation=organisation,
        key=(cohort_id,),
        today=today_in(organisation.time_zone),
        sql=sql,
        query=(
            "SELECT d.course_id, COUNT(*), SUM(d.completed), SUM(d.done), "
            "SUM(d.overdue), SUM(d.expiring) FROM duties d GROUP BY d.course_id"
        ),
        fresh=fresh,
    )
    stats = sorted(
        (
            CourseStats(by_pk[pk], assigned, completed, passed, overdue)
            for pk, assigned, completed, passed, overdue, _expiring in found.rows
        ),
        key=lambda s: s.course.title,
    )
    return stats, found


def _matrix(
    *, organisation: Organisation, cohort_id, course_id, status: str, fresh: bool
) -> dict:
    """What the dashboard and the exports share: the figures per course, the
    courses shown, the people (a queryset) and those a status filter keeps."""
    assignments, sql = _course_figures(organisation=organisation, cohort_id=cohort_id)
    stats, found = _stats(
        organisation=organisation,
        cohort_id=cohort_id,
        assignments=assignments,
        sql=sql,
        fresh=fresh,
    )
    courses = [s.course for s in stats]
    shown_courses = [c for c in courses if not course_id or c.pk == course_id]
    people = members(organisation=organisation, cohort_id=cohort_id)
    kept, kept_stale = _people_shown(
        organisation=organisation,
        cohort_id=cohort_id,
        status=status,
        shown=[c.pk for c in shown_courses],
        sql=sql,
        fresh=fresh,
    )
    return {
        "assignments": assignments,
        "stats": stats,
        "courses": courses,
        "shown_courses": shown_courses,
        "people": people,
        "kept": kept,
        "overdue_count": sum(int(row[4] or 0) for row in found.rows),
        "expiring_count": sum(int(row[5] or 0) for row in found.rows),
        "counted_at": found.at,
        "stale": found.stale or kept_stale,
    }


def figures_count(
    *, organisation: Organisation, cohort_id=None, course_id=None, status: str = ""
) -> None:
    """Count the dashboard's figures for these filters again and keep them (what
    the background recount runs)."""
    _matrix(
        organisation=organisation,
        cohort_id=cohort_id,
        course_id=course_id,
        status=status,
        fresh=True,
    )


def overview(
    *,
    organisation: Organisation,
    cohort_id=None,
    course_id=None,
    status: str = "",
    page: int | str = 1,
    per_page: int = 50,
    fresh: bool = False,
) -> dict:
    """The coordinator's dashboard: per-course figures for everyone (counted by the
    database), and one page of people with a cell per assigned course (filtered),
    in a fixed number of queries however many people there are."""
    matrix = _matrix(
        organisation=organisation,
        cohort_id=cohort_id,
        course_id=course_id,
        status=status,
        fresh=fresh,
    )
    people, kept = matrix["people"], matrix["kept"]
    paginator = Paginator(people if kept is None else kept, per_page)
    shown_page = paginator.get_page(page)
    memberships = list(shown_page.object_list)
    if kept is not None:
        chosen = {m.pk: m for m in people.filter(pk__in=memberships)}
        memberships = [chosen[pk] for pk in memberships]
    rows = _rows(
        organisation=organisation,
        memberships=memberships,
        courses=matrix["shown_courses"],
        assignments=matrix["assignments"],
    )
    shown_page.object_list = rows
    return {
        "expiring_count": matrix["expiring_count"],
        "courses": matrix["shown_courses"],
        "all_courses": matrix["courses"],
        "stats": matrix["stats"],
        "page": shown_page,
        "rows": rows,
        "overdue_count": matrix["overdue_count"],
        "people_count": paginator.count if kept is None else people.count(),
        "counted_at": matrix["counted_at"],
        # The figures shown were counted before the latest activity, or a while
        # ago: the view has them counted again (services.figures_recount_soon).
        "recounting": matrix["stale"],
    }


STREAM_BATCH = 500  # rows an export reads from the cursor at a time

# The columns of `facts` (figures.py) a row of the exports is drawn from.
FACT_COLUMNS = [
    "assignment_id",
    "course_id",
    "exempt_kind",
    "valid",
    "ending",
    "ahead",
    "expired",
    "passed",
    "enrolled",
    "modules_done",
    "valid_id",
    "valid_issued",
    "valid_from",
    "valid_expires",
    "last_id",
    "last_issued",
    "last_from",
    "last_expires",
    "cycle_issued",
    "cycle_expires",
    "cycle_revoked",
    "extended_to",
]


def _moment(value):
    """A datetime as a raw cursor gives it (SQLite: naive, or text, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _day(value):
    return parse_date(value) if isinstance(value, str) else value


def _duty_from_facts(
    fact: dict, *, assignment: Assignment, membership: Membership, today: date
) -> Duty:
    """The duty `_duties` builds, from the facts the database counted: the state
    by `_status_from`'s order of rules, the certificate that counts (its dates
    only), the latest extension and the exemption."""
    state: CourseState | None
    dates: tuple[str | None, str, str, str, str | None]
    if fact["valid"]:
        state = (
            CourseState.EXPIRING
            if fact["ending"] and not fact["ahead"]
            else CourseState.CERTIFIED
        )
        dates = ("valid_id", "valid_issued", "valid_from", "valid_expires", None)
    elif fact["last_issued"] is not None:
        state = CourseState.EXPIRED if fact["expired"] else None
        dates = ("last_id", "last_issued", "last_from", "last_expires", None)
    else:  # only the cycle's own, revoked (its id is not needed: never offered)
        state = None
        dates = (None, "cycle_issued", "cycle_issued", "cycle_expires", "cycle_revoked")
    if state is None:  # no certificate counts: where the current cycle stands
        if fact["passed"]:
            state = CourseState.PASSED
        elif not fact["enrolled"]:
            state = CourseState.NOT_STARTED
        elif fact["complete"]:
            state = CourseState.COMPLETED
        else:
            state = CourseState.IN_PROGRESS
    pk, issued, start, end, revoked = dates
    certificate = None
    if fact[issued] is not None:
        certificate = Certificate(
            pk=fact[pk] if pk else None,
            issued_at=_moment(fact[issued]),
            valid_from=_moment(fact[start]),
            expires_at=_moment(fact[end]),
            revoked_at=_moment(fact[revoked]) if revoked else None,
        )
    status = CourseStatus(
        course=assignment.course,
        state=state,
        enrollment=None,
        certificate=certificate,
    )
    extended_to = _day(fact["extended_to"])
    return Duty(
        assignment=assignment,
        membership=membership,
        status=status,
        due_on=_due(
            assignment,
            membership,
            DueExtension(due_on=extended_to) if extended_to else None,
            status,
        ),
        exemption=Exemption(kind=fact["exempt_kind"]) if fact["exempt_kind"] else None,
        today=today,
    )


def matrix_rows(
    *, organisation: Organisation, cohort_id=None, course_id=None, status: str = ""
) -> tuple[list[CoursePage], Iterator[dict]]:
    """Every row of the filtered matrix, for the CSV and XLSX exports: the courses
    (columns), and the rows as one query streams them (a server-side cursor on
    PostgreSQL), so that the queries are as many and memory as flat for 10,000
    people as for 5. The cells are the dashboard's (`Duty.label`, the due date),
    drawn from the facts the database counts (figures.py)."""
    assignments, sql = _course_figures(organisation=organisation, cohort_id=cohort_id)
    by_pk = {a.pk: a for a in assignments}
    stats, _counted = _stats(
        organisation=organisation,
        cohort_id=cohort_id,
        assignments=assignments,
        sql=sql,
        fresh=False,  # which courses are assigned: the quick check sees any change
    )
    courses = [s.course for s in stats if not course_id or s.course.pk == course_id]
    shown = ", ".join(str(int(c.pk)) for c in courses) or "0"
    where = ""
    if status in (*STATUS_FILTERS, "done"):
        condition = STATUS_FILTERS.get(status, STATUS_FILTERS["open"])
        where = (
            f"AND mm.user_id {'NOT ' if status == 'done' else ''}IN (SELECT d.user_id "
            f"FROM duties d WHERE d.course_id IN ({shown}) GROUP BY d.user_id "
            f"HAVING {condition}) "
        )
    modules, _assessments = course_structure([a.course for a in assignments])
    totals = {pk: len(ms) for pk, ms in modules.items()}
    columns = ", ".join(f"f.{name}" for name in FACT_COLUMNS)
    query = (
        f"{sql.sql} SELECT mm.id, mm.user_id, mm.joined_at, u.full_name, u.email, "
        f"co.name, {columns} FROM {Membership._meta.db_table} mm "
        f"JOIN {User._meta.db_table} u ON u.id = mm.user_id "
        f"LEFT JOIN {Cohort._meta.db_table} co ON co.id = mm.cohort_id "
        f"LEFT JOIN facts f ON f.user_id = mm.user_id AND f.course_id IN ({shown}) "
        "WHERE mm.organisation_id = %(org)s AND mm.accepted_at IS NOT NULL "
        "AND mm.removed_at IS NULL AND mm.declined_at IS NULL "
        + ("AND mm.cohort_id = %(cohort)s " if cohort_id else "")
        + where
        + "ORDER BY u.full_name, mm.id, f.assignment_id"
    )
    params = {**sql.params, "org": organisation.pk, "cohort": cohort_id}
    today = today_in(organisation.time_zone)

    def row_of(membership: Membership, facts: list[dict]) -> dict:
        return _row_from_facts(
            membership, facts, courses=courses, by_pk=by_pk, totals=totals, today=today
        )

    def rows() -> Iterator[dict]:
        membership: Membership | None = None
        facts: list[dict] = []
        with connection.chunked_cursor() as cursor:
            cursor.execute(query, params)
            while batch := cursor.fetchmany(STREAM_BATCH):
                for pk, user_id, joined_at, name, email, cohort, *values in batch:
                    if membership is None or membership.pk != pk:
                        if membership is not None:
                            yield row_of(membership, facts)
                        membership = Membership(
                            pk=pk,
                            user=User(pk=user_id, full_name=name, email=email),
                            cohort=Cohort(name=cohort) if cohort else None,
                            joined_at=_moment(joined_at),
                            organisation=organisation,
                        )
                        facts = []
                    if values[0] is not None:
                        facts.append(dict(zip(FACT_COLUMNS, values, strict=True)))
        if membership is not None:
            yield row_of(membership, facts)

    return courses, rows()


def _row_from_facts(
    membership: Membership,
    facts: list[dict],
    *,
    courses: list[CoursePage],
    by_pk: dict[int, Assignment],
    totals: dict[int, int],
    today: date,
) -> dict:
    """A person's row from their facts (figures.py): a cell per course shown, the
    duty due first; `totals`: {course id: live modules}."""
    cells: dict[int, Duty] = {}
    for fact in facts:
        a = by_pk[fact["assignment_id"]]
        fact["complete"] = 0 < totals.get(a.course_id, 0) <= fact["modules_done"]
        d = _duty_from_facts(fact, assignment=a, membership=membership, today=today)
        current = cells.get(a.course_id)
        if current is None or (d.due_on or date.max) < (current.due_on or date.max):
            cells[a.course_id] = d
    row = [cells.get(c.pk) for c in courses]
    return {
        "membership": membership,
        "cells": row,
        "overdue": max((d.days_overdue for d in row if d), default=0),
    }


def _rows(
    *,
    organisation: Organisation,
    memberships: list[Membership],
    courses: list[CoursePage],
    assignments: list[Assignment],
) -> list[dict]:
    """One row per person of a page, drawn from the facts the database counts for
    these people only (figures.py; the exports' rows the same way): one query, no
    model built per enrolment, progress row or certificate."""
    if not memberships:
        return []
    modules, _assessments = course_structure([a.course for a in assignments])
    today = today_in(organisation.time_zone)
    sql = duties_sql(
        organisation=organisation,
        assignments=assignments,
        modules={pk: [m.pk for m in ms] for pk, ms in modules.items()},
        today=today,
        user_ids=[m.user_id for m in memberships],
    )
    columns = ", ".join(f"f.{name}" for name in FACT_COLUMNS)
    facts: dict[int, list[dict]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql.sql} SELECT f.user_id, {columns} FROM facts f "
            "ORDER BY f.user_id, f.assignment_id",
            sql.params,
        )
        for user_id, *values in cursor.fetchall():
            facts[user_id].append(dict(zip(FACT_COLUMNS, values, strict=True)))
    by_pk = {a.pk: a for a in assignments}
    totals = {pk: len(ms) for pk, ms in modules.items()}
    return [
        _row_from_facts(
            m,
            facts[m.user_id],
            courses=courses,
            by_pk=by_pk,
            totals=totals,
            today=today,
        )
        for m in memberships
    ]


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a link carries (only a hash of the token is stored)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (
        Invitation.objects.select_related("user", "organisation")
        .filter(token_hash=digest)
        .first()
    )


def timed_assessments(*, organisation: Organisation) -> list[AssessmentPage]:
    """The live timed assessments of the courses this organisation assigns."""
    course_paths = [
        c.path
        for c in CoursePage.objects.filter(
            pk__in=Assignment.objects.filter(
                organisation=organisation, closed_at__isnull=True
            ).values("course_id")
        )
    ]
    if not course_paths:
        return []
    paths = Q()
    for path in course_paths:
        paths |= Q(path__startswith=path)
    return list(
        AssessmentPage.objects.live()
        .filter(paths, time_limit_minutes__isnull=False, time_limit_minutes__gt=0)
        .order_by("path")
    )


def accommodations_of(*, user) -> list[Accommodation]:
    return list(Accommodation.objects.filter(user=user).select_related("assessment"))
