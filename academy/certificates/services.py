"""Issuing and revoking certificates. Every issue and revocation is audited.

Issuing is two steps: `certificate_issue` writes the row (one per enrolment cycle,
guarded by a database constraint) in a short transaction; `certificate_pdf_ensure`
renders and stores the PDF afterwards, outside any row lock. A PDF that failed to
render is rendered by the next call, by the download view, or by the backfill task.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from dataclasses import dataclass

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
from academy.core.mail import send_templated_mail
from academy.core.models import User
from academy.core.permissions import is_academy_administrator
from academy.core.services import audit_event_record
from academy.courses.models import CoursePage, Enrollment
from academy.courses.selectors import course_modules

from .codes import code_new
from .models import (
    STATUS_LIST_SIZE,
    Certificate,
    CertificateRevision,
    CredentialSlot,
    NameChange,
    OrganisationCertificate,
    Transcript,
)
from .pdf import (
    render_certificate_pdf,
    render_organisation_certificate_pdf,
    render_transcript_pdf,
)

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
    issued = CredentialSlot.objects.count()
    return 1 + int(issued / (STATUS_LIST_SIZE * LIST_FILL_LIMIT))


def _status_index(rng: random.Random) -> int:
    """A random free position in the lists in use. The lists are never more than
    half full, so a random draw finds a free one at once (checked, and retried by
    the caller on the rare collision the unique constraint reports)."""
    lists = status_list_count()
    for _attempt in range(32):
        index = rng.randrange(lists * STATUS_LIST_SIZE)
        if not CredentialSlot.objects.filter(status_index=index).exists():
            return index
    raise ApplicationError(_("No free status index: try again."))  # p < 2**-32


def _slot_take(kind: str, rng: random.Random) -> CredentialSlot:
    """A fresh code and status index, reserved for one credential. Call it inside
    the transaction that saves the credential: a collision with a credential of
    either kind raises IntegrityError, and the caller draws again."""
    with transaction.atomic():
        return CredentialSlot.objects.create(
            code=code_new(), status_index=_status_index(rng), kind=kind
        )


def _index(slot: CredentialSlot) -> int:
    """A revocable credential's slot always has a status index."""
    if slot.status_index is None:
        raise ApplicationError(_("The certificate could not be issued; try again."))
    return slot.status_index


RENEWAL_OPENS_DAYS = 90  # renewal opens this long before a certificate expires
REFRESHER_GRACE_DAYS = 90  # a refresher still renews this long after expiry


def renewable_certificate(
    *, user: User, course: CoursePage, at: datetime.datetime | None = None
) -> Certificate | None:
    """The person's latest certificate of this course that a new cycle would renew:
    not revoked, the newest by the date it starts."""
    return (
        Certificate.objects.filter(user=user, course=course, revoked_at__isnull=True)
        .order_by("-valid_from", "-pk")
        .first()
    )


def renewal_window(
    certificate: Certificate, at: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """When a refresher can renew this certificate: from 90 days before it expires
    to 90 days after."""
    return (
        certificate.expires_at - datetime.timedelta(days=RENEWAL_OPENS_DAYS),
        certificate.expires_at + datetime.timedelta(days=REFRESHER_GRACE_DAYS),
    )


def _requirements(
    course: CoursePage, attempt: Attempt, user: User, language: str
) -> dict:
    """What this certificate attests, frozen at issue: the rules the passing attempt
    was held to and the prerequisite certificates the holder then had."""
    rules = attempt.snapshot.get("rules") or {}
    required = list(course.prerequisites.all().order_by("path"))
    held = {
        c.course_key: c
        for c in Certificate.objects.filter(
            user=user, course_key__in=[p.content_key for p in required]
        )
        .valid()
        .order_by("issued_at")
    }
    return {
        "scenario_pass_percent": rules.get("scenario_pass_percent"),
        "knowledge_pass_percent": rules.get("knowledge_pass_percent"),
        "questions": len(attempt.snapshot.get("questions") or []),
        "scenarios": len(attempt.snapshot.get("scenarios") or []),
        "prerequisites": [
            {
                "key": p.content_key,
                "title": _course_title(p, language),
                "version": held[p.content_key].course_version,
                "code": held[p.content_key].code,
            }
            for p in required
            if p.content_key in held
        ],
    }


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
    taken, user = enrollment.course, enrollment.user
    issued = timezone.now()
    # A refresher renews the certificate of the course it refreshes; a later cycle
    # of a course renews that course's own earlier certificate.
    course: CoursePage = taken.renews or taken
    previous = renewable_certificate(user=user, course=course, at=issued)
    if taken.renews_id and (
        previous is None
        or not renewal_window(previous)[0] <= issued <= renewal_window(previous)[1]
    ):
        return None  # a refresher passed with nothing to renew certifies nothing
    valid_from = issued
    if previous is not None and previous.status_at(issued) in (
        Certificate.Status.VALID,
        Certificate.Status.NOT_YET,
    ):
        valid_from = max(issued, previous.expires_at)
    months = course.validity_months or settings.ACADEMY_CERTIFICATE_VALIDITY_MONTHS
    requirements = _requirements(taken, attempt, user, user.preferred_language)
    if taken.renews_id:
        requirements["renewed_through"] = {
            "key": taken.content_key,
            "title": _course_title(taken, user.preferred_language),
            "version": taken.version_label,
        }
    slot = _slot_take(CredentialSlot.Kind.PERSON, rng)
    certificate = Certificate(
        code=slot.code,
        user=user,
        enrollment=enrollment,
        course=course,
        attempt=attempt,
        cycle=previous.cycle + 1 if previous is not None else enrollment.cycle,
        holder_name=user.full_name,
        course_key=course.content_key or str(course.pk),
        course_title=_course_title(course, user.preferred_language),
        course_version=course.version_label,
        contact_hours=taken.contact_hours,
        language=user.preferred_language,
        issued_at=issued,
        valid_from=valid_from,
        expires_at=add_months(valid_from, months),
        renews=previous,
        status_index=_index(slot),
        requirements=requirements,
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
    suffix = f"-v{certificate.revision}" if certificate.revision > 1 else ""
    name = storage.save(
        f"certificates/{certificate.code}{suffix}.pdf", ContentFile(pdf)
    )
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
        certificate: Certificate | OrganisationCertificate,
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
    def execute(self) -> Certificate | OrganisationCertificate:
        self.check()
        model = type(self.certificate)  # a person's or an organisation's
        certificate = model.objects.select_for_update().get(pk=self.certificate.pk)
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
    certificate: Certificate | OrganisationCertificate,
    by: User,
    reason: str,
    client_address: str | None = None,
) -> Certificate | OrganisationCertificate:
    return CertificateRevokeAction(
        certificate, user=by, reason=reason, client_address=client_address
    ).execute()


# ---------------------------------------------------------------------------
# An organisation's certificate (the workplace standard). The workplace app decides
# when one is earned and calls these; certificates knows no organisation model, only
# the reference and the facts it is given.


@dataclass(frozen=True)
class OrganisationAward:
    holder_ref: str  # a stable reference to the organisation, e.g. "organisation:7"
    holder_name: str
    holder_place: str
    standard_key: str
    standard_title: str
    standard_version: str
    level: str  # OrganisationCertificate.Level
    domains_met: list[dict]  # [{"key", "title"}]
    language: str
    valid_from: datetime.datetime
    validity_months: int
    attestation_months: int = 12


def organisation_certificate_issue(
    *, award: OrganisationAward, by: User, client_address: str | None = None
) -> OrganisationCertificate:
    """Issue an organisation's certificate: its own code and status index from the
    shared slots (retried on the rare collision). The PDF is rendered afterwards
    (organisation_certificate_pdf_ensure), outside the transaction."""
    rng = random.SystemRandom()
    for _attempt in range(ISSUE_RETRIES):
        try:
            return _organisation_issue(award, by, client_address, rng)
        except IntegrityError:
            continue  # the code or the status index collided: draw again
    raise ApplicationError(_("The certificate could not be issued; try again."))


@transaction.atomic
def _organisation_issue(
    award: OrganisationAward,
    by: User,
    client_address: str | None,
    rng: random.Random,
) -> OrganisationCertificate:
    slot = _slot_take(CredentialSlot.Kind.ORGANISATION, rng)
    expires = add_months(award.valid_from, award.validity_months)
    certificate = OrganisationCertificate(
        code=slot.code,
        status_index=_index(slot),
        holder_ref=award.holder_ref,
        holder_name=award.holder_name,
        holder_place=award.holder_place,
        standard_key=award.standard_key,
        standard_title=award.standard_title,
        standard_version=award.standard_version,
        level=award.level,
        domains_met=award.domains_met,
        language=award.language,
        issued_at=timezone.now(),
        valid_from=award.valid_from,
        expires_at=expires,
        attested_until=min(
            expires, add_months(award.valid_from, award.attestation_months)
        ),
    )
    certificate.full_clean(exclude=["pdf"])
    certificate.save()
    audit_event_record(
        actor=by,
        action="organisation_certificate.issue",
        target=certificate,
        client_address=client_address,
        details={
            "code": certificate.code,
            "holder": certificate.holder_ref,
            "standard": f"{award.standard_key} {award.standard_version}",
            "level": award.level,
        },
    )
    return certificate


def organisation_certificate_pdf_ensure(
    *, certificate: OrganisationCertificate
) -> OrganisationCertificate:
    """Render and store the PDF if it has none yet; idempotent; outside any lock."""
    storage = certificate.pdf.storage
    if (
        certificate.pdf_sha256
        and certificate.pdf.name
        and storage.exists(certificate.pdf.name)
    ):
        return certificate
    pdf = render_organisation_certificate_pdf(certificate)
    digest = hashlib.sha256(pdf).hexdigest()
    name = storage.save(
        f"organisation-certificates/{certificate.code}.pdf", ContentFile(pdf)
    )
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        pdf=name, pdf_sha256=digest
    )
    certificate.refresh_from_db()
    return certificate


def organisation_certificate_attested(
    *,
    certificate: OrganisationCertificate,
    months: int,
    by: User,
    at: datetime.datetime | None = None,
) -> OrganisationCertificate:
    """A senior manager attested that nothing material changed: the certificate
    stays valid for another year, never past its expiry."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = OrganisationCertificate.objects.select_for_update().get(
            pk=certificate.pk
        )
        locked.attested_until = min(
            locked.expires_at, add_months(max(at, locked.attested_until), months)
        )
        locked.save(update_fields=["attested_until", "updated_at"])
    return locked


# ---------------------------------------------------------------------------
# A new name, and re-issuing: the same code, a new revision, the earlier PDF kept.


def name_change_request(
    *, user: User, requested_name: str, note: str = ""
) -> NameChange:
    """A learner asks for their certificates to carry a new name."""
    requested_name = " ".join((requested_name or "").split())
    if not requested_name or len(requested_name) > 200:
        raise ApplicationError(
            _("Give the name as it should appear (up to 200 letters).")
        )
    if requested_name == user.full_name:
        raise ApplicationError(_("That is already the name on your certificates."))
    try:
        with transaction.atomic():
            change = NameChange.objects.create(
                user=user,
                current_name=user.full_name,
                requested_name=requested_name,
                note=(note or "").strip()[:1000],
            )
    except IntegrityError:
        raise ApplicationError(
            _("You have a request waiting already; an administrator will answer it.")
        ) from None
    audit_event_record(actor=user, action="name_change.request", target=change)
    return change


def name_change_decide(
    *, change: NameChange, by: User, approve: bool, reason: str
) -> NameChange:
    """An academy administrator approves (the person's name changes and every
    certificate of theirs is re-issued under it) or declines, with the reason."""
    if not is_academy_administrator(by):
        raise CertificateRevokePermissionError(
            _("Only academy administrators decide name changes.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the decision."))
    with transaction.atomic():
        change = NameChange.objects.select_for_update().get(pk=change.pk)
        if change.decision:
            raise ApplicationError(_("This request was decided already."))
        change.decision = (
            NameChange.Decision.APPROVED if approve else NameChange.Decision.DECLINED
        )
        change.decided_at, change.decided_by = timezone.now(), by
        change.reason = reason[:1000]
        change.save(update_fields=["decision", "decided_at", "decided_by", "reason"])
        audit_event_record(
            actor=by,
            action=f"name_change.{change.decision}",
            target=change,
            details={"user": change.user_id, "reason": change.reason},
        )
        reissued: list[Certificate] = []
        if approve:
            user = change.user
            user.full_name = change.requested_name
            user.save(update_fields=["full_name"])
            for certificate in Certificate.objects.filter(
                user=user, revoked_at__isnull=True
            ):
                reissued.append(
                    _reissue(
                        certificate,
                        by=by,
                        reason=_("New name: %(reason)s") % {"reason": reason},
                        holder_name=change.requested_name,
                    )
                )
    for certificate in reissued:  # after the commit, outside any lock
        certificate_pdf_ensure(certificate=certificate)
    person = change.user
    person.refresh_from_db()
    send_templated_mail(
        to=person.email,
        language=person.preferred_language,
        time_zone=person.time_zone,
        template="certificates/email/name_change",
        context={"user": person, "change": change, "count": len(reissued)},
    )
    return change


def certificate_reissue(
    *, certificate: Certificate, by: User, reason: str
) -> Certificate:
    """Re-issue after a correction of the course's title or of the holder's name as
    we hold it: a new revision under the same code, the course version the holder
    passed kept, the earlier PDF kept in history and no longer offered."""
    if not is_academy_administrator(by):
        raise CertificateRevokePermissionError(
            _("Only academy administrators re-issue certificates.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for re-issuing."))
    if certificate.revoked_at is not None:
        raise ApplicationError(_("A revoked certificate is not re-issued."))
    with transaction.atomic():
        title = (
            _course_title(certificate.course, certificate.language)
            if certificate.course is not None
            else certificate.course_title
        )
        certificate = _reissue(
            certificate,
            by=by,
            reason=reason,
            holder_name=certificate.user.full_name,
            course_title=title,
        )
    return certificate_pdf_ensure(certificate=certificate)


def _reissue(
    certificate: Certificate,
    *,
    by: User,
    reason: str,
    holder_name: str,
    course_title: str | None = None,
) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    CertificateRevision.objects.create(
        certificate=certificate,
        revision=certificate.revision,
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        pdf=certificate.pdf.name or "",
        pdf_sha256=certificate.pdf_sha256,
        replaced_by=by,
        reason=reason[:1000],
    )
    certificate.holder_name = holder_name
    if course_title:
        certificate.course_title = course_title
    certificate.revision += 1
    certificate.pdf = ""
    certificate.pdf_sha256 = ""
    certificate.save(
        update_fields=[
            "holder_name",
            "course_title",
            "revision",
            "pdf",
            "pdf_sha256",
            "updated_at",
        ]
    )
    audit_event_record(
        actor=by,
        action="certificate.reissue",
        target=certificate,
        details={
            "code": certificate.code,
            "revision": certificate.revision,
            "reason": reason[:1000],
        },
    )
    return certificate


# ---------------------------------------------------------------------------
# Transcripts.


def transcript_entries(*, user: User, language: str) -> list[dict]:
    """Every course, cycle, result and certificate of the person, as plain data."""
    entries = []
    certificates = {
        c.enrollment_id: c
        for c in Certificate.objects.filter(user=user).order_by("issued_at")
    }
    attempts: dict[int, list] = {}
    for a in Attempt.objects.filter(user=user, submitted_at__isnull=False).order_by(
        "submitted_at"
    ):
        attempts.setdefault(a.enrollment_id, []).append(a)
    for enrollment in (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .order_by("started_at", "pk")
    ):
        certificate = certificates.get(enrollment.pk)
        tried = attempts.get(enrollment.pk, [])
        entries.append(
            {
                "course": _course_title(enrollment.course, language),
                "course_key": enrollment.course.content_key,
                "cycle": enrollment.cycle,
                "started": enrollment.started_at.date().isoformat(),
                "completed": enrollment.completed_at.date().isoformat()
                if enrollment.completed_at
                else "",
                "attempts": len(tried),
                "passed": next(
                    (a.submitted_at.date().isoformat() for a in tried if a.passed), ""
                ),
                "certificate": {
                    "code": certificate.code,
                    "course": certificate.course_title,
                    "version": certificate.course_version,
                    "valid_from": certificate.valid_from.date().isoformat(),
                    "expires": certificate.expires_at.date().isoformat(),
                    "status": certificate.status,
                }
                if certificate is not None
                else None,
            }
        )
    return entries


def transcript_create(*, user: User) -> Transcript:
    """The person's transcript now: the latest one again if nothing changed since,
    else a new one with its own code. Its PDF is rendered here (no lock held)."""
    language = user.preferred_language
    entries = transcript_entries(user=user, language=language)
    digest = hashlib.sha256(
        json.dumps(
            {"name": user.full_name, "language": language, "entries": entries},
            sort_keys=True,
        ).encode()
    ).hexdigest()
    latest = Transcript.objects.filter(user=user).order_by("-created_at").first()
    if latest is not None and latest.entries_sha256 == digest and latest.pdf_sha256:
        return latest
    for _attempt in range(ISSUE_RETRIES):
        try:
            with transaction.atomic():
                slot = CredentialSlot.objects.create(
                    code=code_new(), kind=CredentialSlot.Kind.TRANSCRIPT
                )
                transcript = Transcript.objects.create(
                    code=slot.code,
                    user=user,
                    holder_name=user.full_name,
                    language=language,
                    entries=entries,
                    entries_sha256=digest,
                )
            break
        except IntegrityError:
            continue
    else:
        raise ApplicationError(_("The transcript could not be made; try again."))
    pdf = render_transcript_pdf(transcript)
    storage = transcript.pdf.storage
    name = storage.save(f"transcripts/{transcript.code}.pdf", ContentFile(pdf))
    Transcript.objects.filter(pk=transcript.pk).update(
        pdf=name, pdf_sha256=hashlib.sha256(pdf).hexdigest()
    )
    transcript.refresh_from_db()
    audit_event_record(actor=user, action="transcript.create", target=transcript)
    return transcript
