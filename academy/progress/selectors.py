"""Where a learner stands in a course. Every status shown anywhere — the course page,
My learning, the catalogue, the coordinator's matrix, reminders — comes from
`course_status_for_user` or its batched forms, which share one rule (`_status_from`)."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.assessments.models import AssessmentPage, Attempt
from academy.certificates.models import Certificate
from academy.certificates.selectors import is_expiring
from academy.core.models import User
from academy.courses.models import CoursePage, Enrollment, ModulePage, ModuleProgress


class CourseState(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # every module done
    PASSED = "passed"  # the certifying assessment passed
    CERTIFIED = "certified"  # a valid certificate
    EXPIRING = "expiring"  # certified, expiring within 90 days, not yet renewed
    EXPIRED = "expired"  # the certificate expired


STATE_LABELS = {
    CourseState.NOT_STARTED: _("Not started"),
    CourseState.IN_PROGRESS: _("In progress"),
    CourseState.COMPLETED: _("All modules done"),
    CourseState.PASSED: _("Passed"),
    CourseState.CERTIFIED: _("Certified"),
    CourseState.EXPIRING: _("Certificate expiring soon"),
    CourseState.EXPIRED: _("Certificate expired"),
}


@dataclass(frozen=True)
class ModuleState:
    module: ModulePage
    number: int
    started: bool
    done: bool
    completed_at: datetime | None = None


@dataclass(frozen=True)
class CourseStatus:
    course: CoursePage
    state: CourseState
    enrollment: Enrollment | None
    modules: list[ModuleState] = field(default_factory=list)
    assessment_passed: bool = False  # success, reported apart from completion
    assessment: AssessmentPage | None = None  # the course's live certifying assessment
    # The certificate that counts now: valid (or the latest, expired); a renewal
    # earned ahead of the expiry is `renewal` (valid from then).
    certificate: Certificate | None = None
    renewal: Certificate | None = None

    @property
    def renewing(self) -> bool:
        """Working through a later cycle (a renewal) of this course."""
        return self.enrollment is not None and self.enrollment.cycle > 1

    @property
    def assessment_due(self) -> bool:
        """Every module done and the assessment still to pass: the next step."""
        return bool(
            self.assessment and self.modules_complete and not self.assessment_passed
        )

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def modules_total(self) -> int:
        return len(self.modules)

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.done)

    @property
    def percent(self) -> int:
        if not self.modules:
            return 0
        return round(100 * self.modules_done / self.modules_total)

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None

    @property
    def modules_complete(self) -> bool:
        return bool(self.modules) and all(m.done for m in self.modules)

    @property
    def next_module(self) -> ModulePage | None:
        """Where to resume: the first module not yet done, in course order."""
        for m in self.modules:
            if not m.done:
                return m.module
        return None


def course_modules(*, course: CoursePage) -> list[ModulePage]:
    return list(ModulePage.objects.live().child_of(course).order_by("path"))


def _status_from(
    *,
    course: CoursePage,
    modules: list[ModulePage],
    enrollment: Enrollment | None,
    progress: Iterable[ModuleProgress],
    assessment=None,
    held: Iterable[Certificate] = (),
) -> CourseStatus:
    """held: the person's certificates of this course from any cycle (a refresher's
    included), which count whatever cycle they are working on now."""
    by_module = {p.module_id: p for p in progress}
    states = []
    for number, module in enumerate(modules, start=1):
        p = by_module.get(module.pk)
        states.append(
            ModuleState(
                module=module,
                number=number,
                started=p is not None,
                done=bool(p and p.completed_at),
                completed_at=p.completed_at if p else None,
            )
        )
    passed = bool(
        enrollment is not None and getattr(enrollment, "passed_attempts", None)
    )
    cycle_certificate = (getattr(enrollment, "cycle_certificates", None) or [None])[0]
    pool = {c.pk: c for c in held}
    if cycle_certificate is not None:
        pool[cycle_certificate.pk] = cycle_certificate
    mine = sorted(
        (c for c in pool.values() if c.revoked_at is None),
        key=lambda c: (c.valid_from, c.pk),
        reverse=True,
    )
    now = timezone.now()
    valid = [c for c in mine if c.status_at(now) == Certificate.Status.VALID]
    ahead = [c for c in mine if c.status_at(now) == Certificate.Status.NOT_YET]
    certificate = valid[0] if valid else (mine[0] if mine else cycle_certificate)
    renewal = ahead[0] if ahead else None
    if valid:
        state = (
            CourseState.EXPIRING
            if renewal is None and is_expiring(valid[0])
            else CourseState.CERTIFIED
        )
    elif mine and (enrollment is None or cycle_certificate is not None):
        state = CourseState.EXPIRED  # nothing newer begun since it ran out
    elif passed:
        state = CourseState.PASSED
    elif enrollment is None:
        state = CourseState.NOT_STARTED
    elif states and all(s.done for s in states):
        state = CourseState.COMPLETED
    else:
        state = CourseState.IN_PROGRESS
    return CourseStatus(
        course=course,
        state=state,
        enrollment=enrollment,
        modules=states,
        assessment_passed=passed,
        assessment=assessment,
        certificate=certificate,
        renewal=renewal,
    )


def _status_prefetches():
    """What `_status_from` reads from an enrolment: progress rows, the cycle's
    certificate and its passed attempts. Every status query prefetches exactly these."""
    return (
        Prefetch("module_progress", to_attr="progress_rows"),
        Prefetch("certificates", to_attr="cycle_certificates"),
        Prefetch(
            "attempts",
            queryset=Attempt.objects.passed().only("pk", "enrollment_id"),
            to_attr="passed_attempts",
        ),
    )


def _current_enrollments(
    *, user: User, course_ids: Iterable[int]
) -> dict[int, Enrollment]:
    """The latest cycle of each course the user is enrolled in, with progress."""
    current: dict[int, Enrollment] = {}
    if not getattr(user, "is_authenticated", False):
        return current
    qs = (
        Enrollment.objects.filter(user=user, course_id__in=list(course_ids))
        .order_by("course_id", "-cycle")
        .prefetch_related(*_status_prefetches())
    )
    for enrollment in qs:
        current.setdefault(enrollment.course_id, enrollment)
    return current


def course_structure(courses: list[CoursePage]):
    """Live modules (in order) and the live assessment of each course: 2 queries."""
    course_by_path = {c.path: c.pk for c in courses}
    paths = Q()
    for course in courses:
        paths |= Q(path__startswith=course.path, depth=course.depth + 1)
    modules_by_course: dict[int, list[ModulePage]] = defaultdict(list)
    for module in ModulePage.objects.live().filter(paths).order_by("path"):
        modules_by_course[course_by_path[module.path[: -ModulePage.steplen]]].append(
            module
        )
    assessments = {
        course_by_path[a.path[: -AssessmentPage.steplen]]: a
        for a in AssessmentPage.objects.live().filter(paths)
    }
    return modules_by_course, assessments


def course_status_for_user(*, user: User, course: CoursePage) -> CourseStatus:
    """Where this learner stands in this course: the one rule every page uses."""
    return course_statuses_for_user(user=user, courses=[course])[0]


def course_statuses_for_user(
    *, user: User, courses: list[CoursePage]
) -> list[CourseStatus]:
    """`course_status_for_user` for several courses in a fixed number of queries."""
    if not courses:
        return []
    enrollments = _current_enrollments(user=user, course_ids=[c.pk for c in courses])
    modules_by_course, assessments = course_structure(courses)
    held: dict[int, list[Certificate]] = defaultdict(list)
    if getattr(user, "is_authenticated", False):
        for certificate in Certificate.objects.filter(
            user=user, course_id__in=[c.pk for c in courses]
        ):
            if certificate.course_id is not None:
                held[certificate.course_id].append(certificate)
    return [
        _status_from(
            course=c,
            modules=modules_by_course[c.pk],
            enrollment=enrollments.get(c.pk),
            progress=getattr(enrollments.get(c.pk), "progress_rows", []),
            assessment=assessments.get(c.pk),
            held=held[c.pk],
        )
        for c in courses
    ]


def course_status_matrix(*, users, courses) -> dict[tuple[int, int], CourseStatus]:
    """`course_status_for_user` for many people and courses in a fixed number of
    queries: the coordinator's matrix uses the same rule as every other page."""
    users, courses = list(users), list(courses)
    if not users or not courses:
        return {}
    modules_by_course, assessments = course_structure(courses)
    current: dict[tuple[int, int], Enrollment] = {}
    qs = (
        Enrollment.objects.filter(user__in=users, course__in=courses)
        .order_by("user_id", "course_id", "-cycle")
        .prefetch_related(*_status_prefetches())
    )
    for enrollment in qs:
        current.setdefault((enrollment.user_id, enrollment.course_id), enrollment)
    held: dict[tuple[int, int], list[Certificate]] = defaultdict(list)
    for certificate in Certificate.objects.filter(user__in=users, course__in=courses):
        if certificate.course_id is not None:
            held[(certificate.user_id, certificate.course_id)].append(certificate)
    return {
        (u.pk, c.pk): _status_from(
            course=c,
            modules=modules_by_course[c.pk],
            enrollment=current.get((u.pk, c.pk)),
            progress=getattr(current.get((u.pk, c.pk)), "progress_rows", []),
            assessment=assessments.get(c.pk),
            held=held[(u.pk, c.pk)],
        )
        for u in users
        for c in courses
    }
