"""Issuing and revoking certificates. Every issue and revocation is audited.

Issuing is two steps: `certificate_issue` writes the row (one per enrolment cycle,
guarded by a database constraint) in a short transaction; `certificate_pdf_ensure`
renders and stores the PDF afterwards, outside any row lock. A PDF that failed to
render is rendered by the next call, by the download view, or by the backfill task.
"""

from __future__ import annotations

import hashlib
import random

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.assessments.models import Attempt
from academy.core.dates import add_months
from academy.core.exceptions import ApplicationError
from academy.core.models import User
from academy.core.permissions import is_academy_administrator
from academy.core.services import audit_event_record
from academy.courses.models import CoursePage, Enrollment
from academy.courses.selectors import course_modules

from .codes import code_new
from .models import STATUS_LIST_SIZE, Certificate
from .pdf import render_certificate_pdf

LIST_FILL_LIMIT = 0.5  # a new status list opens when the current one is half full
ISSUE_RETRIES = 5  # fresh code and status index after a collision
STATUS_LIST_CACHE_SECONDS = 60


STATUS_LIST_FORMS = ("jwt", "json")  # VC-JWT, and JSON-LD with an embedded proof


def status_list_cache_key(number: int, form: str = "jwt") -> str:
    return f"status-list:{number}:{form}"


def _earned(enrollment: Enrollment) -> Attempt | None:
    """The passing attempt this enrolment's certificate rests on, if it is earned:
    every live module of the course done and the assessment passed in this cycle."""
    modules = {m.pk for m in course_modules(course=enrollment.course)}
    done = set(
        enrollment.module_progress.filter(completed_at__isnull=False).values_list(
            "module_id", flat=True
        )
    )
    if not modules or not modules <= done:
        return None
    return (
        Attempt.objects.passed()
        .filter(enrollment=enrollment)
        .order_by("submitted_at")
        .first()
    )


def status_list_count() -> int:
    """Lists in use: one more whenever the last passes LIST_FILL_LIMIT full."""
    issued = Certificate.objects.count()
    return 1 + int(issued / (STATUS_LIST_SIZE * LIST_FILL_LIMIT))


def _status_index(rng: random.Random) -> int:
    """A random free position in the lists in use. The lists are never more than
    half full, so a random draw finds a free one at once (checked, and retried by
    the caller on the rare collision the unique constraint reports)."""
    lists = status_list_count()
    for _attempt in range(32):
        index = rng.randrange(lists * STATUS_LIST_SIZE)
        if not Certificate.objects.filter(status_index=index).exists():
            return index
    raise ApplicationError(_("No free status index: try again."))  # p < 2**-32


def _course_title(course: CoursePage, language: str) -> str:
    return getattr(course, f"title_{language}", None) or course.title_en or course.title


def certificate_issue(
    *, enrollment: Enrollment, client_address: str | None = None
) -> Certificate | None:
    """Issue the certificate for this enrolment cycle if it has been earned; exactly
    one, however many times (or how concurrently) this is called. The PDF is not
    rendered here (see certificate_pdf_ensure)."""
    rng = random.SystemRandom()
    for _attempt in range(ISSUE_RETRIES):
        try:
            return _issue(enrollment, client_address, rng)
        except IntegrityError:
            existing = Certificate.objects.filter(enrollment=enrollment).first()
            if existing is not None:
                return existing  # a concurrent issue won the race: theirs stands
            # otherwise the code or the status index collided: draw again
    raise ApplicationError(_("The certificate could not be issued; try again."))


@transaction.atomic
def _issue(
    enrollment: Enrollment, client_address: str | None, rng: random.Random
) -> Certificate | None:
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
    months = course.validity_months or settings.ACADEMY_CERTIFICATE_VALIDITY_MONTHS
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
        status_index=_status_index(rng),
    )
    certificate.full_clean(exclude=["pdf"])
    with transaction.atomic():
        certificate.save()
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


def certificate_pdf_ensure(*, certificate: Certificate) -> Certificate:
    """Render and store the certificate's PDF if it has none yet; idempotent. Call it
    outside any transaction: the rendering holds no lock."""
    storage = certificate.pdf.storage
    if (
        certificate.pdf_sha256
        and certificate.pdf.name
        and storage.exists(certificate.pdf.name)
    ):
        return certificate
    pdf = render_certificate_pdf(certificate)  # deterministic: same bytes each time
    digest = hashlib.sha256(pdf).hexdigest()
    name = storage.save(f"certificates/{certificate.code}.pdf", ContentFile(pdf))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=name, pdf_sha256=digest)
    certificate.refresh_from_db()
    return certificate


class CertificateRevokePermissionError(PermissionDenied):
    """Only academy administrators revoke certificates."""


class CertificateRevokeAction:
    """Revoke a certificate with a reason (Wagtail's actions/ shape: check, then
    execute). The verification page, the status list and the bulk check show it from
    that moment; the revocation is audited."""

    def __init__(
        self,
        certificate: Certificate,
        *,
        user: User,
        reason: str,
        client_address: str | None = None,
    ):
        self.certificate = certificate
        self.user = user
        self.reason = (reason or "").strip()
        self.client_address = client_address

    def check(self) -> None:
        if not is_academy_administrator(self.user):
            raise CertificateRevokePermissionError(
                _("Only academy administrators can revoke certificates.")
            )
        if not self.reason:
            raise ApplicationError(_("Give the reason for revoking this certificate."))

    @transaction.atomic
    def execute(self) -> Certificate:
        self.check()
        certificate = Certificate.objects.select_for_update().get(
            pk=self.certificate.pk
        )
        if certificate.revoked_at is not None:
            raise ApplicationError(_("This certificate is already revoked."))
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = self.reason
        certificate.revoked_by = self.user
        certificate.save(
            update_fields=["revoked_at", "revoked_reason", "revoked_by", "updated_at"]
        )
        keys = [
            status_list_cache_key(certificate.status_list, form)
            for form in STATUS_LIST_FORMS
        ]
        transaction.on_commit(lambda: cache.delete_many(keys))
        cache.delete_many(keys)
        audit_event_record(
            actor=self.user,
            action="certificate.revoke",
            target=certificate,
            client_address=self.client_address,
            details={"code": certificate.code, "reason": self.reason},
        )
        return certificate


def certificate_revoke(
    *,
    certificate: Certificate,
    by: User,
    reason: str,
    client_address: str | None = None,
) -> Certificate:
    return CertificateRevokeAction(
        certificate, user=by, reason=reason, client_address=client_address
    ).execute()
