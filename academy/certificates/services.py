"""Issuing and revoking certificates. Every issue and revocation is audited."""

from __future__ import annotations

import calendar
import hashlib
import random

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.core.services import audit_event_record

from .codes import code_new
from .models import STATUS_LIST_SIZE, Certificate
from .pdf import render_certificate_pdf

STATUS_LISTS = 1  # lists in use; indexes are drawn at random inside them


def add_months(moment, months: int):
    """The same day `months` later (the last day of the month when it has fewer)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _earned(enrollment) -> object | None:
    """The passing attempt this enrolment's certificate would rest on, if it is earned
    (every module done and the assessment passed)."""
    from academy.assessments.models import Attempt
    from academy.courses.selectors import course_status_for_user

    status = course_status_for_user(user=enrollment.user, course=enrollment.course)
    if status.enrollment is None or status.enrollment.pk != enrollment.pk:
        return None
    if not (status.modules_complete and status.assessment_passed):
        return None
    return (
        Attempt.objects.filter(enrollment=enrollment, passed=True)
        .order_by("submitted_at")
        .first()
    )


def _free_status_index() -> int:
    used = set(Certificate.objects.values_list("status_index", flat=True))
    rng = random.SystemRandom()
    while True:
        index = rng.randrange(STATUS_LISTS * STATUS_LIST_SIZE)
        if index not in used:
            return index


@transaction.atomic
def certificate_issue(
    *, enrollment, client_address: str | None = None
) -> Certificate | None:
    """Issue the certificate for this enrolment cycle if it has been earned; exactly
    one, however many times (or how concurrently) this is called."""
    from academy.courses.models import Enrollment

    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("user", "course")
        .get(pk=enrollment.pk)
    )
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    attempt = _earned(enrollment)
    if attempt is None:
        return None
    course, user = enrollment.course, enrollment.user
    issued = timezone.now()
    months = course.validity_months or 24
    certificate = Certificate(
        code=code_new(),
        user=user,
        enrollment=enrollment,
        course=course,
        attempt=attempt,
        cycle=enrollment.cycle,
        holder_name=user.full_name,
        course_key=course.content_key or str(course.pk),
        course_title=_course_title(course, user.preferred_language),
        course_version=course.version_label,
        contact_hours=course.contact_hours,
        language=user.preferred_language,
        issued_at=issued,
        expires_at=add_months(issued, months),
        status_index=_free_status_index(),
    )
    pdf = render_certificate_pdf(certificate)
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(pdf), save=False)
    certificate.full_clean(exclude=["pdf"])
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:  # a concurrent issue won the race: theirs stands
        certificate.pdf.delete(save=False)
        return Certificate.objects.get(enrollment=enrollment)
    audit_event_record(
        actor=user,
        action="certificate.issue",
        target=certificate,
        client_address=client_address,
        details={
            "code": certificate.code,
            "course": certificate.course_key,
            "cycle": certificate.cycle,
            "attempt": attempt.pk,
        },
    )
    return certificate


def _course_title(course, language: str) -> str:
    return getattr(course, f"title_{language}", None) or course.title_en or course.title


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, by, reason: str, client_address: str | None = None
) -> Certificate:
    """Revoke with a reason; the verification page, the status list and the bulk
    check show it from this moment."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for revoking this certificate."))
    if not (
        getattr(by, "is_superuser", False)
        or by.groups.filter(name="Academy administrators").exists()
    ):
        raise ApplicationError(
            _("Only academy administrators can revoke certificates.")
        )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ApplicationError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = by
    certificate.save(
        update_fields=["revoked_at", "revoked_reason", "revoked_by", "updated_at"]
    )
    audit_event_record(
        actor=by,
        action="certificate.revoke",
        target=certificate,
        client_address=client_address,
        details={"code": certificate.code, "reason": reason},
    )
    return certificate
