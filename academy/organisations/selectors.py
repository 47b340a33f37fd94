"""Reads for coordinators and for learners' assigned training."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.assessments.models import Accommodation, AssessmentPage
from academy.core.dates import add_months
from academy.core.models import User
from academy.courses.models import CoursePage
from academy.progress.selectors import (
    STATE_LABELS,
    CourseState,
    CourseStatus,
    course_status_matrix,
)

from .models import (
    Assignment,
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


def memberships_for_request(request) -> list[Membership]:
    """`memberships_of_user` for the signed-in person, read once per request (the
    navigation, My learning and the lesson's jurisdiction all need it)."""
    if not hasattr(request, "_academy_memberships"):
        request._academy_memberships = memberships_of_user(
            user=getattr(request, "user", None)
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


def _duties(
    *,
    assignments: list[Assignment],
    memberships: list[Membership],
    status_for=None,
) -> list[Duty]:
    """Each open assignment as it applies to each of these people (assignments and
    people of one or more organisations), in a fixed number of queries. The statuses
    come from `status_for(user_id, course)` when the caller has them already."""
    if not assignments or not memberships:
        return []
    users = [m.user_id for m in memberships]
    if status_for is None:
        courses = list({a.course_id: a.course for a in assignments}.values())
        matrix = course_status_matrix(
            users=[m.user for m in memberships], courses=courses
        )

        def status_for(user_id, course):
            return matrix[(user_id, course.pk)]

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


def duties_for_user(
    *, user, memberships: list[Membership] | None = None, status_for=None
) -> list[Duty]:
    """A learner's assigned courses across their organisations, overdue first, in
    a fixed number of queries however many organisations assign them."""
    if memberships is None:
        memberships = memberships_of_user(user=user)
    current = [m for m in memberships if m.is_current]
    if not current:
        return []
    for m in current:
        m.user = user  # Duty.membership.user, without a query
    result = _duties(
        assignments=_open_assignments(
            [m.organisation_id for m in current], applying_to=current
        ),
        memberships=current,
        status_for=status_for,
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


def overview(
    *, organisation: Organisation, cohort_id=None, course_id=None, status: str = ""
) -> dict:
    """The coordinator's dashboard: per-course figures, and one row per person with
    a cell per assigned course (filtered), built in a fixed number of queries."""
    people = list(members(organisation=organisation, cohort_id=cohort_id))
    all_duties = duties(organisation=organisation, memberships=people)
    courses = sorted(
        {d.assignment.course_id: d.assignment.course for d in all_duties}.values(),
        key=lambda c: c.title,
    )
    stats = {c.pk: CourseStats(c, 0, 0, 0, 0) for c in courses}
    cells: dict[int, dict[int, Duty]] = defaultdict(dict)
    for d in all_duties:
        s = stats[d.assignment.course_id]
        s.assigned += 1
        s.completed += d.status.modules_complete or d.done
        s.passed += d.done
        s.overdue += d.overdue
        current = cells[d.membership.user_id].get(d.assignment.course_id)
        if current is None or (d.due_on or date.max) < (current.due_on or date.max):
            cells[d.membership.user_id][d.assignment.course_id] = d
    shown_courses = [c for c in courses if not course_id or c.pk == course_id]
    rows = []
    for m in people:
        row = [cells[m.user_id].get(c.pk) for c in shown_courses]
        if status == "overdue" and not any(d and d.overdue for d in row):
            continue
        if status == "done" and not all(d is None or d.done for d in row):
            continue
        if status == "open" and all(d is None or d.done for d in row):
            continue
        if status == "expiring" and not any(d and d.expiring for d in row):
            continue
        rows.append(
            {
                "membership": m,
                "cells": row,
                "overdue": max((d.days_overdue for d in row if d), default=0),
            }
        )
    counts = Counter(d.overdue for d in all_duties)
    expiring = sum(1 for d in all_duties if d.expiring)
    return {
        "expiring_count": expiring,
        "courses": shown_courses,
        "all_courses": courses,
        "stats": [stats[c.pk] for c in courses],
        "rows": rows,
        "overdue_count": counts[True],
        "people_count": len(people),
    }


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
