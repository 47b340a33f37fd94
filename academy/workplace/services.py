"""Writes for workplace certification. Every rule is checked here (who may act, in
which state, with what), whatever calls it: the site's views, the admin's, the demo.
Every change is appended and audited."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.certificates.models import OrganisationCertificate
from academy.certificates.services import (
    OrganisationAward,
    organisation_certificate_attested,
    organisation_certificate_issue,
    organisation_certificate_pdf_ensure,
)
from academy.core.exceptions import ApplicationError
from academy.core.mail import send_templated_mail
from academy.core.models import User
from academy.core.services import audit_event_record
from academy.organisations.models import Membership, Organisation

from . import selectors
from .evidence import MAX_FILES_PER_CRITERION, EvidenceRefused, evidence_type
from .models import (
    Answer,
    Attestation,
    Certification,
    CriterionAnswer,
    CriterionReview,
    Evidence,
    RegisterConsent,
    Standard,
    evidence_path,
)

ATTESTATION_MONTHS = 12


class NotAllowed(PermissionDenied):
    """The person may not do this (a 403 with the message shown)."""


def _manager_check(user: User, organisation: Organisation) -> None:
    if organisation not in selectors.managed_employers(user=user):
        raise NotAllowed(
            _("Only the managers and training coordinators of %(org)s can do this.")
            % {"org": organisation.name}
        )


def _assessor_check(user: User, organisation: Organisation) -> None:
    if not selectors.is_assessor(user):
        raise NotAllowed(_("Only workplace assessors review certifications."))
    if organisation.pk in selectors.member_organisation_ids(user=user):
        raise NotAllowed(
            _("You belong to %(org)s: another assessor reviews its certification.")
            % {"org": organisation.name}
        )


def _locked(certification: Certification) -> Certification:
    return (
        Certification.objects.select_for_update()
        .select_related("organisation", "standard")
        .get(pk=certification.pk)
    )


def _editable(certification: Certification) -> None:
    if not certification.editable:
        raise ApplicationError(
            _("This certification is with the assessors; it cannot be changed now.")
        )


def _criterion_check(certification: Certification, key: str) -> None:
    if key not in certification.standard.criterion_keys:
        raise ApplicationError(_("The standard has no such criterion."))


# ---------------------------------------------------------------------------
# The organisation's side.


def certification_start(
    *,
    organisation: Organisation,
    by: User,
    standard: Standard | None = None,
    at: datetime.datetime | None = None,
) -> Certification:
    """Open a draft: the first certification, or the full re-review that renews a
    certificate (from 90 days before it expires). One open at a time."""
    _manager_check(by, organisation)
    at = at or timezone.now()
    if organisation.kind != Organisation.Kind.EMPLOYER:
        raise ApplicationError(_("Only employers certify their workplace."))
    standard = standard or selectors.standard_current()
    if standard is None:
        raise ApplicationError(_("The standard has not been published yet."))
    previous = selectors.certification_approved_latest(organisation=organisation)
    held = previous.certificate if previous is not None else None
    kind = Certification.Kind.INITIAL
    if held is not None and held.status_at(at) in (
        OrganisationCertificate.Status.VALID,
        OrganisationCertificate.Status.LAPSED,
    ):
        opens = selectors.renewal_opens_at(held)
        if at < opens:
            raise ApplicationError(
                _("Your certificate is valid; its renewal opens on %(date)s.")
                % {"date": timezone.localdate(opens).isoformat()}
            )
        kind = Certification.Kind.RENEWAL
    try:
        with transaction.atomic():
            certification = Certification.objects.create(
                organisation=organisation,
                standard=standard,
                kind=kind,
                opened_by=by,
                renews=previous if kind == Certification.Kind.RENEWAL else None,
            )
    except IntegrityError:
        raise ApplicationError(
            _("A certification of %(org)s is already open.")
            % {"org": organisation.name}
        ) from None
    audit_event_record(
        actor=by,
        action="workplace.start",
        target=certification,
        organisation=organisation,
        details={"standard": f"{standard.key} {standard.version}", "kind": kind},
    )
    return certification


@transaction.atomic
def criterion_answer_save(
    *,
    certification: Certification,
    criterion_key: str,
    answer: str,
    statement: str,
    by: User,
) -> CriterionAnswer:
    certification = _locked(certification)
    _manager_check(by, certification.organisation)
    _editable(certification)
    _criterion_check(certification, criterion_key)
    if answer not in Answer.values:
        raise ApplicationError(_("Choose met, partly met or not yet."))
    statement = (statement or "").strip()
    if not statement:
        raise ApplicationError(
            _("Say in a few lines how you meet it, or what is still missing.")
        )
    if len(statement) > 4000:
        raise ApplicationError(_("Keep the statement under 4,000 characters."))
    row = CriterionAnswer.objects.create(
        certification=certification,
        criterion_key=criterion_key,
        answer=answer,
        statement=statement,
        created_by=by,
    )
    audit_event_record(
        actor=by,
        action="workplace.answer",
        target=certification,
        organisation=certification.organisation,
        details={"criterion": criterion_key, "answer": answer},
    )
    return row


def evidence_add(
    *,
    certification: Certification,
    criterion_key: str,
    name: str,
    data: bytes,
    by: User,
) -> Evidence:
    """Keep one file of evidence, privately. The content decides what it is; a
    refused file writes nothing, and no file outlives a failed save."""
    kind = evidence_type(data)  # EvidenceRefused (400) before anything is written
    _manager_check(by, certification.organisation)
    _editable(certification)
    _criterion_check(certification, criterion_key)
    digest = hashlib.sha256(data).hexdigest()
    storage = Evidence._meta.get_field("file").storage
    stored = storage.save(evidence_path(certification, name), ContentFile(data))
    try:
        with transaction.atomic():
            certification = _locked(certification)
            _editable(certification)
            kept = certification.evidence.filter(
                criterion_key=criterion_key, removed_at__isnull=True
            ).count()
            if kept >= MAX_FILES_PER_CRITERION:
                raise EvidenceRefused(
                    _("A criterion takes at most %(n)s files; remove one first.")
                    % {"n": MAX_FILES_PER_CRITERION}
                )
            evidence = Evidence.objects.create(
                certification=certification,
                criterion_key=criterion_key,
                file=stored,
                original_name=(name or "evidence")[-120:],
                content_type=kind,
                size=len(data),
                sha256=digest,
                uploaded_by=by,
            )
            audit_event_record(
                actor=by,
                action="workplace.evidence.add",
                target=certification,
                organisation=certification.organisation,
                details={
                    "criterion": criterion_key,
                    "sha256": digest,
                    "size": len(data),
                },
            )
    except BaseException:
        storage.delete(stored)
        raise
    return evidence


def evidence_remove(*, evidence: Evidence, by: User) -> Evidence:
    """Take a file out of the certification: its content is deleted at once; the
    row says what it was, who removed it and when."""
    with transaction.atomic():
        certification = _locked(evidence.certification)
        _manager_check(by, certification.organisation)
        _editable(certification)
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.removed_at is not None:
            return evidence
        evidence.removed_at, evidence.removed_by = timezone.now(), by
        evidence.save(update_fields=["removed_at", "removed_by"])
        name, storage = evidence.file.name or "", evidence.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        audit_event_record(
            actor=by,
            action="workplace.evidence.remove",
            target=certification,
            organisation=certification.organisation,
            details={"criterion": evidence.criterion_key, "sha256": evidence.sha256},
        )
    return evidence


def _people_to_tell(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.current()
        .filter(organisation=organisation)
        .filter(role=Membership.Role.COORDINATOR)
        .select_related("user")
    ] + [
        m.user
        for m in Membership.objects.current()
        .filter(organisation=organisation, is_manager=True)
        .exclude(role=Membership.Role.COORDINATOR)
        .select_related("user")
    ]


def _tell(users, template: str, context: dict) -> None:
    for user in {u.pk: u for u in users}.values():
        send_templated_mail(
            to=user.email,
            language=user.preferred_language,
            time_zone=user.time_zone,
            template=template,
            context={**context, "user": user},
        )


def certification_submit(*, certification: Certification, by: User) -> Certification:
    with transaction.atomic():
        certification = _locked(certification)
        _manager_check(by, certification.organisation)
        domains = selectors.certification_state(certification=certification)
        check = selectors.training_check(
            organisation=certification.organisation, standard=certification.standard
        )
        problems = selectors.submission_problems(
            certification=certification, domains=domains, check=check
        )
        if problems:
            raise ApplicationError(" ".join(problems))
        certification.status = Certification.Status.SUBMITTED
        certification.submitted_at, certification.submitted_by = timezone.now(), by
        certification.save(
            update_fields=["status", "submitted_at", "submitted_by", "updated_at"]
        )
        audit_event_record(
            actor=by,
            action="workplace.submit",
            target=certification,
            organisation=certification.organisation,
        )
    return certification


@transaction.atomic
def register_consent_set(
    *, organisation: Organisation, listed: bool, by: User
) -> RegisterConsent:
    _manager_check(by, organisation)
    row = RegisterConsent.objects.create(
        organisation=organisation, listed=bool(listed), changed_by=by
    )
    audit_event_record(
        actor=by,
        action="workplace.register",
        target=organisation,
        organisation=organisation,
        details={"listed": bool(listed)},
    )
    return row


def attestation_make(
    *,
    certification: Certification,
    nothing_changed: bool,
    changes: str,
    by: User,
    at: datetime.datetime | None = None,
) -> Attestation:
    """The yearly attestation. "Nothing material changed" keeps the certificate
    valid another year at once; a reported change is recorded for an assessor."""
    at = at or timezone.now()
    changes = (changes or "").strip()
    with transaction.atomic():
        certification = _locked(certification)
        _manager_check(by, certification.organisation)
        certificate = certification.certificate
        if (
            certification.status != Certification.Status.APPROVED
            or certificate is None
            or not selectors.attestation_can_be_made(certificate, at)
        ):
            raise ApplicationError(
                _("There is no attestation to make for this certificate now.")
            )
        if not nothing_changed and not changes:
            raise ApplicationError(_("Say what has changed."))
        if nothing_changed and changes:
            changes = ""
        attestation = Attestation.objects.create(
            certification=certification,
            made_at=at,
            made_by=by,
            nothing_changed=nothing_changed,
            changes=changes[:4000],
        )
        if nothing_changed:
            organisation_certificate_attested(
                certificate=certificate, months=ATTESTATION_MONTHS, by=by, at=at
            )
        audit_event_record(
            actor=by,
            action="workplace.attest",
            target=certification,
            organisation=certification.organisation,
            details={"nothing_changed": nothing_changed},
        )
    return attestation


# ---------------------------------------------------------------------------
# The assessors' side.


@transaction.atomic
def criterion_review_record(
    *,
    certification: Certification,
    criterion_key: str,
    decision: str,
    comment: str,
    reviewer: User,
) -> CriterionReview:
    certification = _locked(certification)
    _assessor_check(reviewer, certification.organisation)
    if certification.status != Certification.Status.SUBMITTED:
        raise ApplicationError(_("Only a submitted certification is reviewed."))
    _criterion_check(certification, criterion_key)
    if decision not in CriterionReview.Decision.values:
        raise ApplicationError(_("Accept the criterion or ask for more."))
    comment = (comment or "").strip()
    if decision == CriterionReview.Decision.MORE and not comment:
        raise ApplicationError(_("Say what more is needed: the organisation reads it."))
    review = CriterionReview.objects.create(
        certification=certification,
        criterion_key=criterion_key,
        decision=decision,
        comment=comment[:4000],
        reviewer=reviewer,
    )
    audit_event_record(
        actor=reviewer,
        action="workplace.review",
        target=certification,
        organisation=certification.organisation,
        details={"criterion": criterion_key, "decision": decision},
    )
    return review


def certification_return(
    *, certification: Certification, note: str, reviewer: User
) -> Certification:
    note = (note or "").strip()
    with transaction.atomic():
        certification = _locked(certification)
        _assessor_check(reviewer, certification.organisation)
        if certification.status != Certification.Status.SUBMITTED:
            raise ApplicationError(_("Only a submitted certification can be returned."))
        if not note:
            raise ApplicationError(
                _("Say why it is returned: the organisation reads it.")
            )
        certification.status = Certification.Status.RETURNED
        certification.decided_at, certification.decided_by = timezone.now(), reviewer
        certification.decision_note = note[:4000]
        certification.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by",
                "decision_note",
                "updated_at",
            ]
        )
        audit_event_record(
            actor=reviewer,
            action="workplace.return",
            target=certification,
            organisation=certification.organisation,
        )
        organisation = certification.organisation
        transaction.on_commit(
            lambda: _tell(
                _people_to_tell(organisation),
                "workplace/email/returned",
                {"organisation": organisation.name, "note": note},
            )
        )
    return certification


def certification_approve(
    *, certification: Certification, reviewer: User
) -> Certification:
    """Approve: issue the organisation's certificate (valid from now, or from the
    old one's expiry for a renewal), then render its PDF after the commit."""
    with transaction.atomic():
        certification = _locked(certification)
        organisation = certification.organisation
        _assessor_check(reviewer, organisation)
        domains = selectors.certification_state(
            certification=certification, language=organisation_language(organisation)
        )
        check = selectors.training_check(
            organisation=organisation, standard=certification.standard
        )
        problems = selectors.approval_problems(
            certification=certification, domains=domains, check=check
        )
        if problems:
            raise ApplicationError(" ".join(problems))
        now = timezone.now()
        valid_from = now
        previous = certification.renews.certificate if certification.renews else None
        if (
            previous is not None
            and previous.revoked_at is None
            and previous.expires_at > now
        ):
            valid_from = previous.expires_at
        standard = certification.standard
        language = organisation_language(organisation)
        words = standard.words(language)
        certificate = organisation_certificate_issue(
            award=OrganisationAward(
                holder_ref=f"organisation:{organisation.pk}",
                holder_name=organisation.name,
                holder_place=organisation.city,
                standard_key=standard.key,
                standard_title=words.get("title") or standard.key,
                standard_version=standard.version,
                level=selectors.level_earned(domains),
                domains_met=[
                    {"key": d.key, "title": d.words.get("title", d.key)}
                    for d in domains
                    if d.all_accepted
                ],
                language=language,
                valid_from=valid_from,
                validity_months=standard.validity_months,
                attestation_months=ATTESTATION_MONTHS,
            ),
            by=reviewer,
        )
        certification.status = Certification.Status.APPROVED
        certification.decided_at, certification.decided_by = now, reviewer
        certification.certificate = certificate
        certification.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by",
                "certificate",
                "updated_at",
            ]
        )
        audit_event_record(
            actor=reviewer,
            action="workplace.approve",
            target=certification,
            organisation=organisation,
            details={"code": certificate.code, "level": certificate.level},
        )

        def after():
            organisation_certificate_pdf_ensure(certificate=certificate)
            _tell(
                _people_to_tell(organisation),
                "workplace/email/approved",
                {"organisation": organisation.name, "code": certificate.code},
            )

        transaction.on_commit(after)
    return certification


@transaction.atomic
def attestation_accept(*, attestation: Attestation, reviewer: User) -> Attestation:
    """An assessor read the reported change and found the criteria still met."""
    attestation = Attestation.objects.select_for_update().get(pk=attestation.pk)
    certification = attestation.certification
    _assessor_check(reviewer, certification.organisation)
    if attestation.nothing_changed or attestation.accepted_at is not None:
        raise ApplicationError(_("This attestation needs no decision."))
    certificate = certification.certificate
    if certificate is None:
        raise ApplicationError(_("This attestation needs no decision."))
    attestation.accepted_at, attestation.accepted_by = timezone.now(), reviewer
    attestation.save(update_fields=["accepted_at", "accepted_by"])
    organisation_certificate_attested(
        certificate=certificate,
        months=ATTESTATION_MONTHS,
        by=reviewer,
        at=attestation.made_at,
    )
    audit_event_record(
        actor=reviewer,
        action="workplace.attestation.accept",
        target=certification,
        organisation=certification.organisation,
    )
    return attestation


def organisation_language(organisation: Organisation) -> str:
    """The language the organisation's certificate is written in: its coordinators'
    (most common), else English."""
    languages = list(
        Membership.objects.current()
        .filter(organisation=organisation)
        .filter(role=Membership.Role.COORDINATOR)
        .values_list("user__preferred_language", flat=True)
    )
    return max(set(languages), key=languages.count) if languages else "en"


def standard_load(*, data) -> tuple[Standard, str]:
    """Create or update one standard version from content/ (curriculum's
    StandardData): "created", "updated" or "unchanged". Criteria keys never change
    once published; a text correction updates the version in place."""
    digest = data.fingerprint()
    standard = Standard.objects.filter(key=data.key, version=data.version).first()
    if standard is not None and standard.content_hash == digest:
        return standard, "unchanged"
    outcome = "created" if standard is None else "updated"
    standard = standard or Standard(key=data.key, version=data.version)
    standard.validity_months = data.validity_months
    standard.training = data.training
    standard.domains = data.domains
    standard.text = data.text
    standard.sources = data.sources
    standard.reviews = data.reviews
    standard.content_hash = digest
    if outcome == "created":
        standard.loaded_at = timezone.now()
    standard.save()
    return standard, outcome
