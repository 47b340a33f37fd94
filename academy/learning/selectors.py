"""Reads for the learner's pages: the catalogue (their role first), a course, a
module, the assessment page and My learning. They combine the status rule
(academy.progress), the learner's organisations and their certificates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from academy.assessments.models import AssessmentPage
from academy.assessments.selectors import (
    Eligibility,
    attempt_eligibility,
    attempts_for_user,
    scenarios_live,
)
from academy.certificates.models import Certificate
from academy.certificates.services import renewable_certificate, renewal_window
from academy.core import page_cache
from academy.core.choices import Audience
from academy.core.models import User
from academy.courses.models import CoursePage, ModulePage
from academy.courses.selectors import courses_catalogue
from academy.organisations.models import Membership
from academy.organisations.selectors import (
    Duty,
    duties_for_user,
    memberships_for_request,
    memberships_of_user,
    pending_memberships_for_user,
    user_jurisdiction,
)
from academy.progress.selectors import (
    CourseState,
    CourseStatus,
    LearnerRecord,
    course_status_for_user,
    course_statuses_for_user,
    learner_record_for_user,
)

from .lessons import lesson_for

page_cache.register_person_entry("record")


def learner_record(request) -> LearnerRecord:
    """The signed-in person's enrolments, progress and certificates, read once per
    request (a page asks for several statuses; every one comes from this), and kept
    for the person's next page while their rows stay as they were
    (core.page_cache.person_entry)."""
    if not hasattr(request, "_academy_record"):
        request._academy_record = page_cache.person_entry(
            request, "record", lambda: learner_record_for_user(user=request.user)
        )
    return request._academy_record


def parent_course(page) -> CoursePage:
    """The course a module or an assessment belongs to, from the cached catalogue
    (no query); a course that is not live (an editor's preview) from the tree."""
    parent_path = page.path[: -page.steplen]
    for entry in courses_catalogue():
        if entry.course.path == parent_path:
            return entry.course
    return page.get_parent().specific


def _prerequisites(course: CoursePage) -> list[CoursePage]:
    """The course's prerequisites from the cached catalogue (a course that is not
    live, seen in an editor's preview, reads them)."""
    for entry in courses_catalogue():
        if entry.course.pk == course.pk:
            return list(entry.prerequisites)
    return list(course.prerequisites.order_by("path"))


def missing_prerequisites(
    *, user: User, course: CoursePage, record: LearnerRecord | None = None
) -> list[CoursePage]:
    """The prerequisite courses the learner holds no valid certificate of."""
    required = sorted(
        (c for c in _prerequisites(course) if c.live),
        key=lambda c: c.path,
    )
    if not required:
        return []
    if not user.is_authenticated:
        held: set[str] = set()
    else:
        held = (record or learner_record_for_user(user=user)).valid_course_keys()
    return [c for c in required if c.content_key not in held]


def assessment_eligibility(
    *,
    user: User,
    assessment: AssessmentPage,
    record: LearnerRecord | None = None,
    attempts: list | None = None,
) -> Eligibility:
    """May the learner start this assessment now, and if not, why and what next."""
    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, _("Sign in to take the assessment."))
    course = parent_course(assessment)
    record = record or learner_record_for_user(user=user)
    status = course_status_for_user(user=user, course=course, record=record)
    if not status.is_enrolled:
        return Eligibility(False, _("Enrol in the course first."))
    if assessment.requires_modules and not status.modules_complete:
        return Eligibility(
            False,
            _(
                "The assessment opens once every module is done "
                "(%(done)s of %(total)s so far)."
            )
            % {"done": status.modules_done, "total": status.modules_total},
        )
    if (
        course.renews_id
        and renewal_offer(user=user, course=course, record=record) is None
    ):
        renews = _catalogue_course(course.renews_id) or course.renews
        return Eligibility(
            False,
            _(
                "This refresher renews a certificate of %(course)s, from 90 days "
                "before it expires until 90 days after. You hold none to renew now: "
                "take the full course instead."
            )
            % {"course": renews.title if renews else ""},
        )
    missing = missing_prerequisites(user=user, course=course, record=record)
    if missing:
        return Eligibility(
            False,
            _(
                "This assessment opens once you hold a valid certificate for: "
                "%(courses)s."
            )
            % {"courses": ", ".join(c.title for c in missing)},
            missing_prerequisites=missing,
        )
    return attempt_eligibility(user=user, assessment=assessment, attempts=attempts)


@dataclass(frozen=True)
class RenewalOffer:
    """A certificate the learner can renew now, and how: through the refresher
    (when the course has one and its window is open) or the full course again."""

    certificate: Certificate  # the one being renewed
    course: CoursePage  # the course whose certificate it is
    through: CoursePage  # what to take: the refresher, or the course itself

    @property
    def by_refresher(self) -> bool:
        return self.through.pk != self.course.pk


def _catalogue_course(pk: int | None) -> CoursePage | None:
    return next((e.course for e in courses_catalogue() if e.course.pk == pk), None)


def renewal_offer(
    *,
    user: User,
    course: CoursePage,
    at: datetime.datetime | None = None,
    record: LearnerRecord | None = None,
) -> RenewalOffer | None:
    """Renewal opens 90 days before a certificate expires. A refresher renews it from
    then until 90 days after expiry; the full course renews it any time from then
    on. Nothing is offered once a renewal has been earned. With the person's
    `LearnerRecord` (which holds every certificate of theirs) and the cached
    catalogue, no query."""
    if not getattr(user, "is_authenticated", False):
        return None
    at = at or timezone.now()
    target: CoursePage = course
    if course.renews_id:
        target = _catalogue_course(course.renews_id) or course.renews or course
    if record is None:
        certificate = renewable_certificate(user=user, course=target, at=at)
        renewed = certificate is not None and certificate.renewed_by.exists()
    else:
        mine = record.certificates()
        certificate = max(
            (c for c in mine if c.course_id == target.pk and c.revoked_at is None),
            key=lambda c: (c.valid_from, c.pk),
            default=None,
        )
        renewed = certificate is not None and any(
            c.renews_id == certificate.pk for c in mine
        )
    if certificate is None:
        return None
    opens, closes = renewal_window(certificate)
    if at < opens or renewed:
        return None
    if course.renews_id:  # asked on the refresher's own page
        return RenewalOffer(certificate, target, course) if at <= closes else None
    refresher = next(
        (e.course for e in courses_catalogue() if e.course.renews_id == target.pk),
        None,
    )
    if refresher is not None and at <= closes:
        return RenewalOffer(certificate, target, refresher)
    return RenewalOffer(certificate, target, target)


def work_role(user: User) -> str:
    return (getattr(user, "work_role", "") or "other") if user.is_authenticated else ""


@dataclass
class CatalogueRow:
    status: CourseStatus
    audiences: list[str]
    for_you: bool  # written for the learner's work role
    missing: list[CoursePage] = field(default_factory=list)  # prerequisites lacking
    refreshers: list[CoursePage] = field(default_factory=list)  # renew this course

    @property
    def for_everyone(self) -> bool:
        return len(self.audiences) == len(Audience.values)

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels[a]) for a in self.audiences if a in labels]


def catalogue(
    *, user: User, audience: str | None = None, record: LearnerRecord | None = None
) -> list[CatalogueRow]:
    """Every live course (or those for one audience), the learner's own role first,
    with where they stand and which prerequisites they still lack."""
    entries = courses_catalogue()
    role = work_role(user)
    if user.is_authenticated:
        record = record or learner_record_for_user(user=user)
        held = record.valid_course_keys()
    else:
        held = set()
    rows = []
    # A refresher is offered with the course it renews, not as a course of its own.
    refreshers: dict[int, list[CoursePage]] = {}
    for e in entries:
        if e.course.renews_id:
            refreshers.setdefault(e.course.renews_id, []).append(e.course)
    entries = [e for e in entries if not e.course.renews_id]
    statuses = course_statuses_for_user(
        user=user, courses=[e.course for e in entries], record=record
    )
    for entry, status in zip(entries, statuses, strict=True):
        audiences = list(entry.audiences)
        if audience and audience not in audiences:
            continue
        missing = [c for c in entry.prerequisites if c.content_key not in held]
        # A course for every audience (Foundations) is not "for you" in particular.
        for_you = role in audiences and len(audiences) < len(Audience.values)
        rows.append(
            CatalogueRow(
                status,
                audiences,
                for_you,
                missing,
                refreshers.get(status.course.pk, []),
            )
        )
    # What to start with first: a course others build on that the learner does not
    # hold yet (Foundations, for a newcomer); then the courses for their work; then
    # the rest in the site's order (sorted is stable).
    built_on = {p.pk for e in entries for p in e.prerequisites}

    def rank(row: CatalogueRow) -> int:
        course = row.status.course
        if course.pk in built_on and course.content_key not in held:
            return 0
        return 1 if row.for_you else 2

    return sorted(rows, key=rank)


def catalogue_context(*, request) -> dict:
    audience = request.GET.get("audience", "")
    if audience not in Audience.values:
        audience = ""
    return {
        "audience": audience,
        "audiences": Audience.choices,
        "rows": catalogue(
            user=request.user,
            audience=audience or None,
            record=learner_record(request),
        ),
        "work_role": work_role(request.user),
    }


def _parent_url(page, request) -> str:
    """The address of a page's parent, from the page's own: Wagtail's addresses
    nest (in every language), so no query for the parent."""
    url = page.get_url(request)
    if not url:
        return page.get_parent().get_url(request) or ""
    return url[: url.rstrip("/").rfind("/") + 1]


def course_context(*, request, course: CoursePage) -> dict:
    record = learner_record(request)
    status = course_status_for_user(user=request.user, course=course, record=record)
    return {
        "catalogue_url": _parent_url(course, request),
        "status": status,
        "assessment": status.assessment,
        "missing_prerequisites": missing_prerequisites(
            user=request.user, course=course, record=record
        ),
        "renewal": renewal_offer(user=request.user, course=course, record=record),
        "reviews": course.review_record or [],
        "reviews_pending": [
            r for r in (course.review_record or []) if r.get("status") == "pending"
        ],
    }


def module_context(*, request, module: ModulePage) -> dict:
    """What the module template needs: the lesson in the page's language (or the
    English text with a notice), the course status, neighbours, answered checks."""
    course = parent_course(module)
    status = course_status_for_user(
        user=request.user, course=course, record=learner_record(request)
    )
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
    jurisdiction = user_jurisdiction(
        user=request.user, memberships=memberships_for_request(request)
    )
    lesson = lesson_for(
        module=module,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
        jurisdiction=jurisdiction,
        preview=getattr(request, "is_preview", False),
    )
    return {
        "course": course,
        "status": status,
        "module_state": module_state,
        "lesson": lesson.parts,
        "sources": lesson.sources,
        "translation_missing": lesson.translation_missing or not lesson.own_body,
        "previous_module": previous_module,
        "next_module": next_module,
        "check_answers": answers,
        "jurisdiction": jurisdiction,
        "now": timezone.now(),
    }


def assessment_context(*, request, assessment: AssessmentPage) -> dict:
    attempts = attempts_for_user(user=request.user, assessment=assessment)
    return {
        "course": parent_course(assessment),
        "eligibility": assessment_eligibility(
            user=request.user,
            assessment=assessment,
            record=learner_record(request),
            attempts=attempts,
        ),
        "attempts": attempts,
        "open_attempt": next((a for a in attempts if not a.is_submitted), None),
        "scenarios": scenarios_live(assessment=assessment),
    }


@dataclass
class Dashboard:
    duties: list[Duty]
    rows: list[CourseStatus]
    suggestions: list[CoursePage]  # role courses the learner can take next
    invitations: list[Membership]  # organisations waiting for the person's answer
    # course pk -> the prerequisite courses the learner lacks for its assessment
    missing: dict[int, list[CoursePage]] = field(default_factory=dict)
    # course pk -> how to renew its certificate, when that is open
    renewals: dict[int, RenewalOffer] = field(default_factory=dict)


DASHBOARD_ORDER = {
    CourseState.IN_PROGRESS: 0,
    CourseState.EXPIRING: 1,
    CourseState.EXPIRED: 2,
    CourseState.COMPLETED: 3,
    CourseState.PASSED: 4,
    CourseState.CERTIFIED: 5,
}


def dashboard(
    *,
    user: User,
    record: LearnerRecord | None = None,
    memberships: list[Membership] | None = None,
    request=None,
) -> Dashboard:
    """My learning: assigned training, every course enrolled in (unfinished first),
    and — once a prerequisite is held — the role courses it opens. A fixed number of
    queries: the record, the memberships, and the assignments' own rows (kept for
    the person's next view with their `request`, organisations.selectors)."""
    record = record or learner_record_for_user(user=user)
    if memberships is None:
        memberships = memberships_of_user(user=user)
    enrollments = record.current
    entries = courses_catalogue()
    by_pk = {e.course.pk: e.course for e in entries}
    mine = [e for e in entries if e.course.pk in enrollments]
    # Every live course's status at once (one read of the courses' structure): the
    # assigned courses not begun yet need theirs too.
    every = course_statuses_for_user(
        user=user, courses=[e.course for e in entries], record=record
    )
    statuses = [s for s in every if s.course.pk in enrollments]
    held = record.valid_course_keys()
    role = work_role(user)
    suggestions = [
        e.course
        for e in entries
        if e.course.pk not in enrollments
        and not e.course.renews_id
        and e.prerequisites
        and all(p.content_key in held for p in e.prerequisites)
        and (role == "other" or role in e.audiences)
    ]
    missing = {
        e.course.pk: lacking
        for e in mine
        if (lacking := [p for p in e.prerequisites if p.content_key not in held])
    }
    known = {s.course.pk: s for s in every}

    def status_for(_user_id: int, course: CoursePage) -> CourseStatus:
        if course.pk not in known:
            known[course.pk] = course_statuses_for_user(
                user=user, courses=[by_pk.get(course.pk, course)], record=record
            )[0]
        return known[course.pk]

    renewals = {
        s.course.pk: offer
        for s in statuses
        if s.state in (CourseState.EXPIRING, CourseState.EXPIRED)
        and (offer := renewal_offer(user=user, course=s.course, record=record))
        is not None
    }
    return Dashboard(
        duties=duties_for_user(
            user=user, memberships=memberships, status_for=status_for, request=request
        ),
        rows=sorted(statuses, key=lambda s: DASHBOARD_ORDER.get(s.state, 9)),
        suggestions=suggestions,
        invitations=pending_memberships_for_user(user=user, memberships=memberships),
        missing=missing,
        renewals=renewals,
    )
