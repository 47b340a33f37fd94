"""Where a learner stands in a course. Every status shown anywhere — the course page,
My learning, the catalogue, the coordinator's matrix, reminders — comes from
`course_status_for_user` or its batched forms, which share one rule (`_status_from`)."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import get_translation_fields

from academy.assessments.models import AssessmentPage, Attempt
from academy.certificates.models import Certificate
from academy.certificates.selectors import is_expiring
from academy.core import content_cache
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


def _enrollment_rows(enrollments) -> list[Enrollment]:
    """Enrolments with what `_status_from` reads from them — progress rows
    (`progress_rows`), the cycle's certificate (`cycle_certificates`) and whether an
    attempt passed (`passed_attempts`) — in one query: the progress and certificate
    rows are LEFT JOINed, one row per progress row, and taken apart here."""
    e_fields = [f.attname for f in Enrollment._meta.concrete_fields]
    p_fields = [f.attname for f in ModuleProgress._meta.concrete_fields]
    c_fields = [f.attname for f in Certificate._meta.concrete_fields]
    passed = (
        Attempt.objects.passed()
        .filter(enrollment=OuterRef("pk"))
        .order_by("submitted_at", "pk")
        .values("pk")[:1]
    )
    rows = enrollments.annotate(passed_attempt_id=Subquery(passed)).values_list(
        *e_fields,
        "passed_attempt_id",
        *(f"module_progress__{name}" for name in p_fields),
        *(f"certificates__{name}" for name in c_fields),
    )
    db = enrollments.db
    ne, np = len(e_fields), len(p_fields)
    # Enrolments carrying the three lists above (attributes the model does not declare).
    found: dict[int, Any] = {}
    for row in rows:
        enrollment: Any = found.get(row[0])
        if enrollment is None:
            enrollment = Enrollment.from_db(db, e_fields, row[:ne])
            enrollment.progress_rows = []
            enrollment.cycle_certificates = []
            attempt_id = row[ne]
            enrollment.passed_attempts = (
                [Attempt.from_db(db, ["id", "enrollment_id"], [attempt_id, row[0]])]
                if attempt_id is not None
                else []
            )
            found[row[0]] = enrollment
        progress = row[ne + 1 : ne + 1 + np]
        if progress[0] is not None and all(
            p.pk != progress[0] for p in enrollment.progress_rows
        ):
            enrollment.progress_rows.append(
                ModuleProgress.from_db(db, p_fields, progress)
            )
        certificate = row[ne + 1 + np :]
        if certificate[0] is not None and all(
            c.pk != certificate[0] for c in enrollment.cycle_certificates
        ):
            enrollment.cycle_certificates.append(
                Certificate.from_db(db, c_fields, certificate)
            )
    for enrollment in found.values():  # as the model orders them: latest first
        enrollment.cycle_certificates.sort(key=lambda c: c.issued_at, reverse=True)
    return list(found.values())


def _current_enrollments(
    *, user: User, course_ids: Iterable[int] | None = None
) -> dict[int, Enrollment]:
    """The latest cycle of each course the user is enrolled in (of these courses,
    or of every course), with progress: one query."""
    if not getattr(user, "is_authenticated", False):
        return {}
    enrollments = Enrollment.objects.filter(user=user)
    if course_ids is not None:
        enrollments = enrollments.filter(course_id__in=list(course_ids))
    return _latest_cycles(_enrollment_rows(enrollments))


def _latest_cycles(enrollments: Iterable[Enrollment]) -> dict[int, Enrollment]:
    current: dict[int, Enrollment] = {}
    for enrollment in sorted(enrollments, key=lambda e: (e.course_id, -e.cycle)):
        current.setdefault(enrollment.course_id, enrollment)
    return current


@dataclass
class LearnerRecord:
    """A person's enrolments, every cycle, with what statuses are made of."""

    enrollments: list[Enrollment]

    @property
    def current(self) -> dict[int, Enrollment]:
        """{course id: the latest cycle}, for `course_statuses_for_user`."""
        return _latest_cycles(self.enrollments)

    def certificates(self) -> list[Certificate]:
        """Every certificate of the person (each belongs to one of their
        enrolments), of any cycle."""
        return [
            c for e in self.enrollments for c in getattr(e, "cycle_certificates", ())
        ]

    def held(self) -> dict[int, list[Certificate]]:
        """{course id: the person's certificates of it, from any cycle}: what
        `_status_from` counts as held (a refresher's included)."""
        held: dict[int, list[Certificate]] = defaultdict(list)
        for certificate in self.certificates():
            if certificate.course_id is not None:
                held[certificate.course_id].append(certificate)
        return held

    def valid_course_keys(self) -> set[str]:
        """certificates.selectors.valid_course_keys, from the record."""
        now = timezone.now()
        return {
            c.course_key
            for c in self.certificates()
            if c.revoked_at is None and c.valid_from <= now and c.expires_at > now
        }


def learner_record_for_user(*, user: User) -> LearnerRecord:
    """Every enrolment of the person with its progress, certificate and passed
    attempt: one query. Pages read it once per request and hand `record.current`
    to the status selectors below."""
    if not getattr(user, "is_authenticated", False):
        return LearnerRecord([])
    return LearnerRecord(_enrollment_rows(Enrollment.objects.filter(user=user)))


STRUCTURE_KEY = "academy:course-structure:{}"


def _structure_from_db(courses: list[CoursePage]):
    """Live modules (in order, without their lessons) and the live assessment of
    each course: 2 queries."""
    course_by_path = {c.path: c.pk for c in courses}
    paths = Q()
    for course in courses:
        paths |= Q(path__startswith=course.path, depth=course.depth + 1)
    modules_by_course: dict[int, list[ModulePage]] = {c.pk: [] for c in courses}
    # Without the lesson, the objectives and the assessment's introduction (every
    # language): only the page itself shows them, from the page it serves.
    for module in (
        ModulePage.objects.live()
        .filter(paths)
        .defer_streamfields()
        .defer("objectives", *get_translation_fields("objectives"))
        .order_by("path")
    ):
        modules_by_course[course_by_path[module.path[: -ModulePage.steplen]]].append(
            module
        )
    assessments: dict[int, AssessmentPage | None] = dict.fromkeys(modules_by_course)
    for a in (
        AssessmentPage.objects.live()
        .filter(paths)
        .defer("intro", *get_translation_fields("intro"))
    ):
        assessments[course_by_path[a.path[: -AssessmentPage.steplen]]] = a
    return {pk: (modules_by_course[pk], assessments[pk]) for pk in modules_by_course}


def course_structure(courses: list[CoursePage]):
    """Live modules (in order) and the live assessment of each course. What a
    publish makes, so it is kept in the shared cache until the next publish
    (core.content_cache): one cache read, and 2 queries for the courses missing."""
    keys = {c.pk: STRUCTURE_KEY.format(c.pk) for c in courses}
    version, found = content_cache.entries(keys.values())
    missing = [c for c in courses if keys[c.pk] not in found]
    built = _structure_from_db(missing) if missing else {}
    for pk, value in built.items():
        content_cache.store(keys[pk], value, version=version)
    modules_by_course: dict[int, list[ModulePage]] = defaultdict(list)
    assessments: dict[int, AssessmentPage] = {}
    for course in courses:
        modules, assessment = found.get(keys[course.pk]) or built[course.pk]
        modules_by_course[course.pk] = modules
        if assessment is not None:
            assessments[course.pk] = assessment
    return modules_by_course, assessments


def course_status_for_user(
    *,
    user: User,
    course: CoursePage,
    record: LearnerRecord | None = None,
) -> CourseStatus:
    """Where this learner stands in this course: the one rule every page uses."""
    return course_statuses_for_user(user=user, courses=[course], record=record)[0]


def course_statuses_for_user(
    *,
    user: User,
    courses: list[CoursePage],
    record: LearnerRecord | None = None,
) -> list[CourseStatus]:
    """`course_status_for_user` for several courses in a fixed number of queries:
    the enrolments and the certificates (none when the person's `LearnerRecord` is
    given) and the courses' structure from the shared cache."""
    if not courses:
        return []
    modules_by_course, assessments = course_structure(courses)
    if record is not None:
        enrollments = record.current
        held = record.held()
    else:
        enrollments = _current_enrollments(
            user=user, course_ids=[c.pk for c in courses]
        )
        held = defaultdict(list)
    if record is None and getattr(user, "is_authenticated", False):
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
    rows = _enrollment_rows(
        Enrollment.objects.filter(user__in=users, course__in=courses)
    )
    for enrollment in sorted(rows, key=lambda e: (e.user_id, e.course_id, -e.cycle)):
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
