"""Reads for the learner's pages: the catalogue (their role first), a course, a
module, the assessment page and My learning. They combine the status rule
(academy.progress), the learner's organisations and their certificates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from academy.assessments.models import AssessmentPage
from academy.assessments.selectors import (
    Eligibility,
    assessment_for_course,
    attempt_eligibility,
    attempts_for_user,
    scenarios_live,
)
from academy.certificates.models import Certificate
from academy.certificates.selectors import valid_course_keys
from academy.certificates.services import renewable_certificate, renewal_window
from academy.core.choices import Audience
from academy.core.i18n import field_in_language, translation_missing
from academy.core.models import User
from academy.courses.models import CoursePage, ModulePage
from academy.courses.selectors import courses_live, enrolled_course_ids
from academy.organisations.models import Membership
from academy.organisations.selectors import (
    Duty,
    duties_for_user,
    pending_memberships_for_user,
    user_jurisdiction,
)
from academy.progress.selectors import (
    CourseState,
    CourseStatus,
    course_status_for_user,
    course_statuses_for_user,
)


def missing_prerequisites(*, user: User, course: CoursePage) -> list[CoursePage]:
    """The prerequisite courses the learner holds no valid certificate of."""
    required = list(course.prerequisites.live().order_by("path"))
    if not required:
        return []
    held = valid_course_keys(user=user) if user.is_authenticated else set()
    return [c for c in required if c.content_key not in held]


def assessment_eligibility(*, user: User, assessment: AssessmentPage) -> Eligibility:
    """May the learner start this assessment now, and if not, why and what next."""
    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, _("Sign in to take the assessment."))
    course = assessment.get_parent().specific
    status = course_status_for_user(user=user, course=course)
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
    if course.renews_id and renewal_offer(user=user, course=course) is None:
        return Eligibility(
            False,
            _(
                "This refresher renews a certificate of %(course)s, from 90 days "
                "before it expires until 90 days after. You hold none to renew now: "
                "take the full course instead."
            )
            % {"course": course.renews.title},
        )
    missing = missing_prerequisites(user=user, course=course)
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
    return attempt_eligibility(user=user, assessment=assessment)


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


def renewal_offer(
    *, user: User, course: CoursePage, at: datetime.datetime | None = None
) -> RenewalOffer | None:
    """Renewal opens 90 days before a certificate expires. A refresher renews it from
    then until 90 days after expiry; the full course renews it any time from then
    on. Nothing is offered once a renewal has been earned."""
    if not getattr(user, "is_authenticated", False):
        return None
    at = at or timezone.now()
    target: CoursePage = course.renews or course
    certificate = renewable_certificate(user=user, course=target, at=at)
    if certificate is None:
        return None
    opens, closes = renewal_window(certificate)
    if at < opens or certificate.renewed_by.exists():
        return None
    if course.renews_id:  # asked on the refresher's own page
        return RenewalOffer(certificate, target, course) if at <= closes else None
    refresher = next((r for r in CoursePage.objects.live().filter(renews=target)), None)
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


def catalogue(*, user: User, audience: str | None = None) -> list[CatalogueRow]:
    """Every live course (or those for one audience), the learner's own role first,
    with where they stand and which prerequisites they still lack."""
    courses = list(courses_live().prefetch_related("audience_links", "prerequisites"))
    role = work_role(user)
    held = valid_course_keys(user=user) if user.is_authenticated else set()
    rows = []
    # A refresher is offered with the course it renews, not as a course of its own.
    refreshers: dict[int, list[CoursePage]] = {}
    for c in courses:
        if c.renews_id:
            refreshers.setdefault(c.renews_id, []).append(c)
    courses = [c for c in courses if not c.renews_id]
    for status in course_statuses_for_user(user=user, courses=courses):
        audiences = [link.audience for link in status.course.audience_links.all()]
        if audience and audience not in audiences:
            continue
        missing = [
            c for c in status.course.prerequisites.all() if c.content_key not in held
        ]
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
    built_on = {p.pk for c in courses for p in c.prerequisites.all()}

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
        "rows": catalogue(user=request.user, audience=audience or None),
        "work_role": work_role(request.user),
    }


def course_context(*, request, course: CoursePage) -> dict:
    status = course_status_for_user(user=request.user, course=course)
    return {
        "status": status,
        "assessment": status.assessment or assessment_for_course(course=course),
        "missing_prerequisites": missing_prerequisites(
            user=request.user, course=course
        ),
        "renewal": renewal_offer(user=request.user, course=course),
        "reviews": course.review_record or [],
        "reviews_pending": [
            r for r in (course.review_record or []) if r.get("status") == "pending"
        ],
    }


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
        "jurisdiction": user_jurisdiction(user=request.user),
        "now": timezone.now(),
    }


def assessment_context(*, request, assessment: AssessmentPage) -> dict:
    attempts = attempts_for_user(user=request.user, assessment=assessment)
    return {
        "eligibility": assessment_eligibility(user=request.user, assessment=assessment),
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


def dashboard(*, user: User) -> Dashboard:
    """My learning: assigned training, every course enrolled in (unfinished first),
    and — once a prerequisite is held — the role courses it opens."""
    enrolled = set(enrolled_course_ids(user=user))
    courses = list(courses_live().prefetch_related("audience_links", "prerequisites"))
    mine = [c for c in courses if c.pk in enrolled]
    statuses = course_statuses_for_user(user=user, courses=mine)
    held = valid_course_keys(user=user)
    role = work_role(user)
    suggestions = [
        c
        for c in courses
        if c.pk not in enrolled
        and not c.renews_id
        and list(c.prerequisites.all())
        and all(p.content_key in held for p in c.prerequisites.all())
        and (
            role == "other"
            or role in [link.audience for link in c.audience_links.all()]
        )
    ]
    missing = {
        c.pk: lacking
        for c in mine
        if (lacking := [p for p in c.prerequisites.all() if p.content_key not in held])
    }
    renewals = {
        s.course.pk: offer
        for s in statuses
        if s.state in (CourseState.EXPIRING, CourseState.EXPIRED)
        and (offer := renewal_offer(user=user, course=s.course)) is not None
    }
    return Dashboard(
        duties=duties_for_user(user=user),
        rows=sorted(statuses, key=lambda s: DASHBOARD_ORDER.get(s.state, 9)),
        suggestions=suggestions,
        invitations=pending_memberships_for_user(user=user),
        missing=missing,
        renewals=renewals,
    )
