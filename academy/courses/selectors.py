"""Reads for courses and learners' progress. Every status shown anywhere comes from
`course_status_for_user` (or its batched form, which shares the same rule)."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.assessments.models import AssessmentPage, Attempt
from academy.core.i18n import field_in_language, translation_missing

from .models import (
    CourseIndexPage,
    CoursePage,
    Enrollment,
    ModulePage,
    ModuleProgress,
)


class CourseState(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # every module done
    PASSED = "passed"  # the certifying assessment passed
    CERTIFIED = "certified"  # a valid certificate
    EXPIRING = "expiring"  # certified, expiring within 60 days
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
    completed_at: object = None


@dataclass(frozen=True)
class CourseStatus:
    course: CoursePage
    state: CourseState
    enrollment: Enrollment | None
    modules: list[ModuleState] = field(default_factory=list)
    assessment_passed: bool = False  # success, reported apart from completion
    assessment: object = None  # the course's live certifying assessment, if any
    certificate: object = None  # this cycle's certificate, if issued

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
) -> CourseStatus:
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
    certificate = (getattr(enrollment, "cycle_certificates", None) or [None])[0]
    if enrollment is None:
        state = CourseState.NOT_STARTED
    elif certificate is not None and certificate.status == "valid":
        from academy.certificates.selectors import is_expiring

        state = (
            CourseState.EXPIRING if is_expiring(certificate) else CourseState.CERTIFIED
        )
    elif certificate is not None and certificate.status == "expired":
        state = CourseState.EXPIRED
    elif passed:
        state = CourseState.PASSED
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
    )


def _status_prefetches():
    """What `_status_from` reads from an enrolment: progress rows, the cycle's
    certificate and its passed attempts. Every status query prefetches exactly these."""
    return (
        Prefetch("module_progress", to_attr="progress_rows"),
        Prefetch("certificates", to_attr="cycle_certificates"),
        Prefetch(
            "attempts",
            queryset=Attempt.objects.filter(passed=True).only("pk", "enrollment_id"),
            to_attr="passed_attempts",
        ),
    )


def _current_enrollments(*, user, course_ids: Iterable[int]) -> dict[int, Enrollment]:
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


def _course_structure(courses):
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


def course_status_for_user(*, user, course: CoursePage) -> CourseStatus:
    """Where this learner stands in this course: the one rule every page uses."""
    return course_statuses_for_user(user=user, courses=[course])[0]


def course_statuses_for_user(*, user, courses: list[CoursePage]) -> list[CourseStatus]:
    """`course_status_for_user` for several courses in a fixed number of queries."""
    if not courses:
        return []
    enrollments = _current_enrollments(user=user, course_ids=[c.pk for c in courses])
    modules_by_course, assessments = _course_structure(courses)
    return [
        _status_from(
            course=c,
            modules=modules_by_course[c.pk],
            enrollment=enrollments.get(c.pk),
            progress=getattr(enrollments.get(c.pk), "progress_rows", []),
            assessment=assessments.get(c.pk),
        )
        for c in courses
    ]


def course_index_page_get() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().first()


def course_catalogue(*, user, audience: str | None = None) -> list[CourseStatus]:
    courses = (
        CoursePage.objects.live().order_by("path").prefetch_related("audience_links")
    )
    if audience:
        courses = courses.filter(audience_links__audience=audience).distinct()
    return course_statuses_for_user(user=user, courses=list(courses))


def dashboard_for_user(*, user) -> list[CourseStatus]:
    """ "My learning": every course the learner is enrolled in, unfinished first."""
    course_ids = (
        Enrollment.objects.filter(user=user)
        .values_list("course_id", flat=True)
        .distinct()
    )
    courses = list(CoursePage.objects.live().filter(pk__in=course_ids).order_by("path"))
    statuses = course_statuses_for_user(user=user, courses=courses)
    order = {
        CourseState.IN_PROGRESS: 0,
        CourseState.EXPIRING: 1,
        CourseState.EXPIRED: 2,
        CourseState.COMPLETED: 3,
        CourseState.PASSED: 4,
        CourseState.CERTIFIED: 5,
    }
    return sorted(statuses, key=lambda s: order.get(s.state, 9))


def enrollment_get_for_user(*, user, enrollment_id: int) -> Enrollment | None:
    """The learner's own enrolment, or None: nobody reads another person's record."""
    return (
        Enrollment.objects.filter(pk=enrollment_id, user=user)
        .select_related("course")
        .first()
    )


def module_context(*, request, module: ModulePage) -> dict:
    """What the module template needs: the lesson in the page's language (or the
    English text with a notice), the course status, neighbours, answered checks."""
    course = module.get_parent().specific
    status = course_status_for_user(user=request.user, course=course)
    body, own_body = field_in_language(module, "body")
    position = next(
        (i for i, m in enumerate(status.modules) if m.module.pk == module.pk), None
    )
    previous_module = next_module = None
    if position is not None:
        if position > 0:
            previous_module = status.modules[position - 1].module
        if position + 1 < len(status.modules):
            next_module = status.modules[position + 1].module
    module_state = status.modules[position] if position is not None else None
    answers = (
        request.session.get(f"kc:{module.pk}", {})
        if hasattr(request, "session")
        else {}
    )
    return {
        "course": course,
        "status": status,
        "module_state": module_state,
        "lesson": body,
        "translation_missing": translation_missing(
            module, ("title", "summary", "objectives", "body")
        )
        or not own_body,
        "previous_module": previous_module,
        "next_module": next_module,
        "check_answers": answers,
        "jurisdiction": user_jurisdiction(request.user),
        "now": timezone.now(),
    }


def user_jurisdiction(user) -> str:
    """The learner's own choice, else their organisation's, else international."""
    if not getattr(user, "is_authenticated", False):
        return "intl"
    if user.jurisdiction:
        return user.jurisdiction
    membership = user.memberships.select_related("organisation").first()
    if membership:
        return membership.organisation.jurisdiction
    return "intl"


def page_has_learner_records(*, page) -> bool:
    """True when an enrolment or progress row points at this page or one below it."""
    from wagtail.models import Page

    ids = Page.objects.descendant_of(page, inclusive=True).values("pk")
    return (
        Enrollment.objects.filter(course_id__in=ids).exists()
        or ModuleProgress.objects.filter(module_id__in=ids).exists()
    )


def glossary_terms() -> list:
    """Every glossary term, in the alphabetical order of the page's language."""
    from .models import GlossaryTerm

    return sorted(GlossaryTerm.objects.all(), key=lambda t: (t.term or "").casefold())


def course_status_matrix(*, users, courses) -> dict[tuple[int, int], CourseStatus]:
    """`course_status_for_user` for many people and courses in a fixed number of
    queries: the coordinator's matrix uses the same rule as every other page."""
    users, courses = list(users), list(courses)
    if not users or not courses:
        return {}
    modules_by_course, assessments = _course_structure(courses)
    current: dict[tuple[int, int], Enrollment] = {}
    qs = (
        Enrollment.objects.filter(user__in=users, course__in=courses)
        .order_by("user_id", "course_id", "-cycle")
        .prefetch_related(*_status_prefetches())
    )
    for enrollment in qs:
        current.setdefault((enrollment.user_id, enrollment.course_id), enrollment)
    return {
        (u.pk, c.pk): _status_from(
            course=c,
            modules=modules_by_course[c.pk],
            enrollment=current.get((u.pk, c.pk)),
            progress=getattr(current.get((u.pk, c.pk)), "progress_rows", []),
            assessment=assessments.get(c.pk),
        )
        for u in users
        for c in courses
    }
