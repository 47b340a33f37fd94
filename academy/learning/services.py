"""What follows from a learner's moves: the services the learner's pages call.

Each calls the service of the layer that owns the record (enrolment and progress in
courses, attempts in assessments) and then, outside that service's transaction and its
row locks, what the move earns: a certificate once every module is done and the
assessment is passed. No lower layer calls up into certificates."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from academy.assessments import services as assessment_services
from academy.assessments.models import AssessmentPage, Attempt, AttemptAnswer
from academy.assessments.selectors import Eligibility
from academy.certificates.models import Certificate
from academy.certificates.services import certificate_issue, certificate_pdf_ensure
from academy.core.exceptions import ApplicationError
from academy.core.models import User
from academy.courses import services as course_services
from academy.courses.models import CoursePage, Enrollment, ModulePage, ModuleProgress
from academy.courses.selectors import enrollment_current
from academy.organisations.selectors import user_jurisdiction

from .selectors import (
    assessment_eligibility,
    parent_course,
    renewal_offer,
    work_role,
)


def course_enrol(*, user: User, course: CoursePage) -> Enrollment:
    """Enrol; or, when the learner's certificate of this course (or of the course
    this refresher renews) can be renewed and their current cycle is finished with,
    open the next cycle."""
    current = enrollment_current(user=user, course=course)
    renew = (
        current is not None
        and current.certificates.exists()
        and renewal_offer(user=user, course=course) is not None
    )
    return course_services.enrollment_create(user=user, course=course, new_cycle=renew)


def certificate_earn(
    *, enrollment: Enrollment, client_address: str | None = None
) -> Certificate | None:
    """Issue the enrolment's certificate if it is earned, and render its PDF once
    the transaction that granted it has committed: never while the enrolment and
    the attempt are locked (at once when no transaction is open, as in a request;
    the download renders it if that has not happened yet)."""
    certificate = certificate_issue(
        enrollment=enrollment, client_address=client_address
    )
    if certificate is not None and not certificate.pdf_sha256:
        transaction.on_commit(partial(certificate_pdf_ensure, certificate=certificate))
    return certificate


def module_complete(
    *, user: User, module: ModulePage, client_address: str | None = None
) -> course_services.ModuleCompletion:
    completion = course_services.module_progress_mark_complete(user=user, module=module)
    if completion.course_completed:  # a course whose assessment was passed first
        certificate_earn(
            enrollment=completion.enrollment, client_address=client_address
        )
    return completion


def module_opened(
    *,
    user: User,
    module: ModulePage,
    enrollment: Enrollment | None = None,
    progress: ModuleProgress | None = None,
) -> ModuleProgress | None:
    return course_services.module_progress_record_view(
        user=user, module=module, enrollment=enrollment, progress=progress
    )


class PrerequisiteMissing(ApplicationError):
    status = 403


def attempt_start(
    *, user: User, assessment: AssessmentPage, declared_own_work: bool
) -> Attempt:
    """Start (or resume) an attempt once the course allows it: enrolled, every module
    done, prerequisites held. Questions are drawn for the learner's jurisdiction and
    the first scenario for their work role."""
    course = parent_course(assessment)
    enrollment = enrollment_current(user=user, course=course)
    if enrollment is None:
        raise assessment_services.AttemptNotAllowed(
            assessment_eligibility(user=user, assessment=assessment).reason
        )
    open_attempt = Attempt.objects.in_progress().filter(
        user=user, assessment=assessment
    )
    if not open_attempt.exists():
        eligibility: Eligibility = assessment_eligibility(
            user=user, assessment=assessment
        )
        if not eligibility.can_start:
            error = (
                PrerequisiteMissing
                if eligibility.missing_prerequisites
                else assessment_services.AttemptNotAllowed
            )
            raise error(
                eligibility.reason,
                extra={"missing": eligibility.missing_prerequisites},
            )
    return assessment_services.attempt_start(
        user=user,
        assessment=assessment,
        enrollment=enrollment,
        declared_own_work=declared_own_work,
        jurisdiction=user_jurisdiction(user=user),
        role=work_role(user),
    )


def _after_submit(attempt: Attempt, client_address: str | None) -> None:
    if attempt.is_submitted and attempt.passed:
        certificate_earn(enrollment=attempt.enrollment, client_address=client_address)


def attempt_answer(
    *,
    attempt_id: int,
    user: User,
    item_key: str,
    answer: list[str],
    client_address: str | None = None,
) -> AttemptAnswer:
    try:
        return assessment_services.attempt_answer_record(
            attempt_id=attempt_id, user=user, item_key=item_key, answer=answer
        )
    except assessment_services.AttemptConflict:
        # Time ran out and the attempt was submitted: it may have passed.
        _after_submit(Attempt.objects.get(pk=attempt_id), client_address)
        raise


def attempt_continue(
    *, attempt_id: int, user: User, item_key: str, client_address: str | None = None
) -> Attempt:
    try:
        attempt = assessment_services.attempt_continue(
            attempt_id=attempt_id, user=user, item_key=item_key
        )
    except assessment_services.AttemptConflict:
        # Sent again after a lost answer (a server restarting, the database away
        # between grading and issuing): a passed attempt still earns its certificate.
        _after_submit(Attempt.objects.get(pk=attempt_id), client_address)
        raise
    _after_submit(attempt, client_address)
    return attempt


def attempt_expire_if_due(*, attempt: Attempt) -> bool:
    """Submit a timed attempt whose time is up; True if it was. An attempt that is
    submitted, untimed or within its time (as read) is not locked to find out: the
    locked check below runs only once the deadline has passed."""
    if (
        attempt.is_submitted
        or not attempt.deadline_at
        or timezone.now() <= attempt.deadline_at
    ):
        return False
    expired = assessment_services.attempt_expire_if_due(attempt_id=attempt.pk)
    if expired:
        _after_submit(Attempt.objects.get(pk=attempt.pk), None)
    return expired


def attempt_remediation_view(*, attempt: Attempt, user: User) -> Attempt:
    return assessment_services.attempt_remediation_view(
        attempt_id=attempt.pk, user=user
    )
