"""Issuing and revoking certificates. Every issue and revocation is audited.

Issuing is two steps. The grant: `certificate_issue` (one enrolment) and
`certificates_issue_bulk` (many, in a number of queries that does not grow with them)
write the rows (one certificate per enrolment cycle, guarded by a database
constraint; its code and status index; the audit event) in a short transaction that
locks the enrolments. The PDF: `certificate_pdf_ensure` renders and stores it once
that has committed, outside any row lock. A PDF that failed to render, or has not
been rendered yet, is rendered by the next call, by the download view, or by the
backfill task.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Func, IntegerField
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.assessments.models import Attempt
from academy.core.dates import add_months
from academy.core.exceptions import ApplicationError
from academy.core.mail import send_templated_mail
from academy.core.models import User
from academy.core.permissions import is_academy_administrator
from academy.core.services import (
    audit_event_new,
    audit_event_record,
    audit_events_record,
)
from academy.courses.models import CoursePage, Enrollment, ModuleProgress
from academy.courses.selectors import course_module_ids

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


def status_list_count(*, adding: int = 0) -> int:
    """Lists in use: one more whenever the last passes LIST_FILL_LIMIT full (counting
    the `adding` credentials about to be issued)."""
    issued = CredentialSlot.objects.count() + adding
    return 1 + int(issued / (STATUS_LIST_SIZE * LIST_FILL_LIMIT))


def _slots_take(kind: str, n: int, rng: random.Random) -> list[CredentialSlot]:
    """`n` fresh codes and status indexes, reserved for `n` credentials: random free
    positions in the lists in use (never more than half full, so the first draw
    nearly always fits; one query finds those taken). Call it inside the
    transaction that saves the credentials: a collision with a credential issued
    at the same moment raises IntegrityError, and the caller draws again."""
    space = status_list_count(adding=n) * STATUS_LIST_SIZE
    indexes: set[int] = set()
    for _round in range(32):
        drawn = set(rng.sample(range(space), n - len(indexes))) - indexes
        indexes |= drawn - set(
            CredentialSlot.objects.filter(status_index__in=drawn).values_list(
                "status_index", flat=True
            )
        )
        if len(indexes) == n:
            break
    else:
        raise ApplicationError(_("No free status index: try again."))  # p < 2**-32
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(code_new())
    with transaction.atomic():
        return CredentialSlot.objects.bulk_create(
            CredentialSlot(code=code, status_index=index, kind=kind)
            for code, index in zip(sorted(codes), sorted(indexes), strict=True)
        )


def _slot_take(kind: str, rng: random.Random) -> CredentialSlot:
    """One fresh code and status index (see _slots_take)."""
    return _slots_take(kind, 1, rng)[0]


def _index(slot: CredentialSlot) -> int:
    """A revocable credential's slot always has a status index."""
    if slot.status_index is None:
        raise ApplicationError(_("The certificate could not be issued; try again."))
    return slot.status_index


RENEWAL_OPENS_DAYS = 90  # renewal opens this long before a certificate expires
REFRESHER_GRACE_DAYS = 90  # a refresher still renews this long after expiry


def _renewables(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Certificate]:
    """For each (person, course): the latest certificate that a new cycle would
    renew (not revoked, the newest by the date it starts). One query."""
    if not pairs:
        return {}
    latest: dict[tuple[int, int | None], Certificate] = {}
    for certificate in Certificate.objects.filter(
        user_id__in={user for user, _course in pairs},
        course_id__in={course for _user, course in pairs},
        revoked_at__isnull=True,
    ).order_by("-valid_from", "-pk"):
        latest.setdefault((certificate.user_id, certificate.course_id), certificate)
    return {pair: latest[pair] for pair in pairs if pair in latest}


def renewable_certificate(
    *, user: User, course: CoursePage, at: datetime.datetime | None = None
) -> Certificate | None:
    """The person's latest certificate of this course that a new cycle would renew:
    not revoked, the newest by the date it starts."""
    return _renewables({(user.pk, course.pk)}).get((user.pk, course.pk))


def renewal_window(
    certificate: Certificate, at: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """When a refresher can renew this certificate: from 90 days before it expires
    to 90 days after."""
    return (
        certificate.expires_at - datetime.timedelta(days=RENEWAL_OPENS_DAYS),
        certificate.expires_at + datetime.timedelta(days=REFRESHER_GRACE_DAYS),
    )


def _course_title(course: CoursePage, language: str) -> str:
    return getattr(course, f"title_{language}", None) or course.title_en or course.title


class _JSONListLength(Func):
    """How many items the JSON list under `key` of a JSON column holds (0 when there
    is none), counted by the database: an attempt's snapshot (hundreds of KiB) is
    not fetched to count its questions."""

    output_field = IntegerField()

    def __init__(self, column: str, key: str):
        super().__init__(KeyTransform(key, column))

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"COALESCE(JSON_ARRAY_LENGTH({sql}), 0)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CASE WHEN jsonb_typeof({sql}) = 'array' "
            f"THEN jsonb_array_length({sql}) ELSE 0 END",
            (*params, *params),
        )


@dataclass(frozen=True)
class _Pass:
    """The passing attempt a certificate rests on, as much of it as issuing reads."""

    attempt_id: int
    rules: dict
    questions: int
    scenarios: int


def _earned(enrollments: list[Enrollment]) -> dict[int, _Pass]:
    """For each enrolment that has earned its certificate (every live module of the
    course done and the assessment passed in this cycle): the first passing attempt.
    Three queries, however many enrolments."""
    if not enrollments:
        return {}
    modules = course_module_ids(
        courses={e.course_id: e.course for e in enrollments}.values()
    )
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, module_id in ModuleProgress.objects.filter(
        enrollment__in=enrollments, completed_at__isnull=False
    ).values_list("enrollment_id", "module_id"):
        done[enrollment_id].add(module_id)
    complete = [
        e.pk
        for e in enrollments
        if modules[e.course_id] and modules[e.course_id] <= done[e.pk]
    ]
    if not complete:
        return {}
    passes: dict[int, _Pass] = {}
    for enrollment_id, pk, rules, questions, scenarios in (
        Attempt.objects.passed()
        .filter(enrollment_id__in=complete)
        .annotate(
            questions=_JSONListLength("snapshot", "questions"),
            scenarios=_JSONListLength("snapshot", "scenarios"),
        )
        .order_by("enrollment_id", "submitted_at", "pk")
        .values_list("enrollment_id", "pk", "snapshot__rules", "questions", "scenarios")
    ):
        if enrollment_id not in passes:
            passes[enrollment_id] = _Pass(pk, rules or {}, questions, scenarios)
    return passes


def _prerequisites(courses: list[CoursePage]) -> dict[int, list[CoursePage]]:
    """Each course's prerequisite courses, in the site's order. One query."""
    required: dict[int, list[CoursePage]] = {course.pk: [] for course in courses}
    if courses:
        for prerequisite in (
            CoursePage.objects.filter(required_by__in=courses)
            .annotate(for_course=F("required_by"))
            .order_by("path")
        ):
            required[prerequisite.for_course].append(prerequisite)
    return required


def _held(users: set[int], keys: set[str]) -> dict[tuple[int, str], Certificate]:
    """The latest valid certificate each person holds of each of these courses (by
    course key). One query."""
    if not users or not keys:
        return {}
    return {
        (c.user_id, c.course_key): c
        for c in Certificate.objects.filter(user_id__in=users, course_key__in=keys)
        .valid()
        .order_by("issued_at")
    }


def _requirements(
    *,
    taken: CoursePage,
    passed: _Pass,
    user: User,
    required: list[CoursePage],
    held: dict[tuple[int, str], Certificate],
) -> dict:
    """What this certificate attests, frozen at issue: the rules the passing attempt
    was held to and the prerequisite certificates the holder then had."""
    language = user.preferred_language
    requirements = {
        "scenario_pass_percent": passed.rules.get("scenario_pass_percent"),
        "knowledge_pass_percent": passed.rules.get("knowledge_pass_percent"),
        "questions": passed.questions,
        "scenarios": passed.scenarios,
        "prerequisites": [
            {
                "key": p.content_key,
                "title": _course_title(p, language),
                "version": held[user.pk, p.content_key].course_version,
                "code": held[user.pk, p.content_key].code,
            }
            for p in required
            if (user.pk, p.content_key) in held
        ],
    }
    if taken.renews_id:
        requirements["renewed_through"] = {
            "key": taken.content_key,
            "title": _course_title(taken, language),
            "version": taken.version_label,
        }
    return requirements


ISSUE_CHUNK = 500  # enrolments locked and issued in one transaction
# Fields whose check would cost a query each; the database's constraints hold them.
_UNCHECKED = ["pdf", "user", "enrollment", "course", "attempt", "renews", "revoked_by"]


@dataclass
class IssueResult:
    """What issuing did: the certificate of each enrolment that has one (issued now
    or before), which of them are new, and the enrolments that earned none."""

    certificates: dict[int, Certificate] = field(default_factory=dict)
    issued: list[Certificate] = field(default_factory=list)
    not_earned: list[int] = field(default_factory=list)

    def add(self, other: IssueResult) -> None:
        self.certificates.update(other.certificates)
        self.issued += other.issued
        self.not_earned += other.not_earned


def certificate_issue(
    *, enrollment: Enrollment, client_address: str | None = None
) -> Certificate | None:
    """Issue the certificate for this enrolment cycle if it has been earned; exactly
    one, however many times (or how concurrently) this is called. The PDF is not
    rendered here (see certificate_pdf_ensure)."""
    issued = _issue_chunk([enrollment.pk], client_address)
    return issued.certificates.get(enrollment.pk)


def certificates_issue_bulk(
    *, enrollment_ids: Iterable[int], client_address: str | None = None
) -> IssueResult:
    """Issue the certificate of every one of these enrolment cycles that has earned
    one and has none: ISSUE_CHUNK enrolments a transaction, in a number of queries
    that does not grow with them. As with certificate_issue, one certificate per
    cycle however often or concurrently it runs, and no PDF: render them once the
    rows are committed (certificate_pdf_ensure)."""
    ids = sorted(set(enrollment_ids))
    result = IssueResult()
    for start in range(0, len(ids), ISSUE_CHUNK):
        result.add(_issue_chunk(ids[start : start + ISSUE_CHUNK], client_address))
    return result


def _issue_chunk(ids: list[int], client_address: str | None) -> IssueResult:
    rng = random.SystemRandom()
    for _attempt in range(ISSUE_RETRIES):
        try:
            return _issue(ids, client_address, rng)
        except IntegrityError:
            # A code or status index collided with a credential issued at the same
            # moment, or (SQLite has no row locks) a concurrent issue of the same
            # cycle won: the next round draws again and finds theirs.
            continue
    raise ApplicationError(_("The certificate could not be issued; try again."))


@transaction.atomic
def _issue(
    ids: list[int], client_address: str | None, rng: random.Random
) -> IssueResult:
    result = IssueResult()
    pending = ids
    while pending:
        pending = _issue_round(pending, client_address, rng, result)
    return result


def _issue_round(
    ids: list[int],
    client_address: str | None,
    rng: random.Random,
    result: IssueResult,
) -> list[int]:
    """Lock these enrolments (theirs alone: not the people's or the courses' rows)
    and issue what each has earned. Returns those left for the next round: a second
    cycle of the same person and course renews the first one's certificate, so it is
    issued once that one exists."""
    enrollments = list(
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user", "course", "course__renews")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    for certificate in Certificate.objects.filter(enrollment_id__in=ids):
        result.certificates[certificate.enrollment_id] = certificate
    todo = [e for e in enrollments if e.pk not in result.certificates]
    passes = _earned(todo)
    targets = {e.pk: e.course.renews or e.course for e in todo}
    previous = _renewables({(e.user_id, targets[e.pk].pk) for e in todo})
    taken = list({e.course_id: e.course for e in todo}.values())
    required = _prerequisites(taken)
    held = _held(
        {e.user_id for e in todo},
        {p.content_key for prerequisites in required.values() for p in prerequisites},
    )
    issued = timezone.now()
    later: list[int] = []
    planned: dict[tuple[int, int], Certificate] = {}
    for enrollment in todo:
        course = targets[enrollment.pk]
        if (enrollment.user_id, course.pk) in planned:
            later.append(enrollment.pk)
            continue
        passed = passes.get(enrollment.pk)
        new = None
        if passed is not None:
            new = _certificate_new(
                enrollment,
                course=course,
                passed=passed,
                previous=previous.get((enrollment.user_id, course.pk)),
                requirements=_requirements(
                    taken=enrollment.course,
                    passed=passed,
                    user=enrollment.user,
                    required=required[enrollment.course_id],
                    held=held,
                ),
                issued=issued,
            )
        if new is None:
            result.not_earned.append(enrollment.pk)
        else:
            planned[enrollment.user_id, course.pk] = new
    certificates = list(planned.values())
    if not certificates:
        return later
    slots = _slots_take(CredentialSlot.Kind.PERSON, len(certificates), rng)
    for certificate, slot in zip(certificates, slots, strict=True):
        certificate.code, certificate.status_index = slot.code, _index(slot)
        certificate.full_clean(
            exclude=_UNCHECKED, validate_unique=False, validate_constraints=False
        )
    with transaction.atomic():
        Certificate.objects.bulk_create(certificates)
    audit_events_record(
        events=[
            audit_event_new(
                actor=c.user,
                action="certificate.issue",
                target=c,
                client_address=client_address,
                details={
                    "code": c.code,
                    "course": c.course_key,
                    "cycle": c.cycle,
                    "attempt": c.attempt_id,
                },
            )
            for c in certificates
        ]
    )
    for certificate in certificates:
        result.certificates[certificate.enrollment_id] = certificate
    result.issued += certificates
    return later


def _certificate_new(
    enrollment: Enrollment,
    *,
    course: CoursePage,
    passed: _Pass,
    previous: Certificate | None,
    requirements: dict,
    issued: datetime.datetime,
) -> Certificate | None:
    """The certificate this earned enrolment gets (unsaved; no code yet), or None
    for a refresher passed with nothing to renew. A refresher renews the
    certificate of the course it refreshes; a later cycle of a course renews that
    course's own earlier certificate."""
    taken, user = enrollment.course, enrollment.user
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
    return Certificate(
        user=user,
        enrollment=enrollment,
        course=course,
        attempt_id=passed.attempt_id,
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
        requirements=requirements,
    )


def certificate_pdf_ensure(*, certificate: Certificate) -> Certificate:
    """Render and store the certificate's PDF if it has none yet. Idempotent, and
    safe to run twice at once (two downloads, a download and the worker): the
    rendering is deterministic and holds no lock; the first file recorded stays and
    any other copy is removed, so there is one PDF. Call it once the certificate's
    row is committed, never while its enrolment or attempt is locked."""
    storage = certificate.pdf.storage
    seen = {"pdf": certificate.pdf.name or "", "pdf_sha256": certificate.pdf_sha256}
    if seen["pdf_sha256"] and seen["pdf"] and storage.exists(seen["pdf"]):
        return certificate
    pdf = render_certificate_pdf(certificate)  # deterministic: same bytes each time
    suffix = f"-v{certificate.revision}" if certificate.revision > 1 else ""
    name = storage.save(
        f"certificates/{certificate.code}{suffix}.pdf", ContentFile(pdf)
    )
    recorded = Certificate.objects.filter(
        pk=certificate.pk, revision=certificate.revision, **seen
    ).update(pdf=name, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    certificate.refresh_from_db()
    if not recorded and certificate.pdf.name != name:
        storage.delete(name)  # another rendering was recorded first: one PDF stays
    return certificate


def certificates_pdf_ensure(*, certificates: Iterable[Certificate]) -> int:
    """Render every missing PDF of these certificates (see certificate_pdf_ensure);
    how many were missing."""
    rendered = 0
    for certificate in certificates:
        rendered += not certificate.pdf_sha256
        certificate_pdf_ensure(certificate=certificate)
    return rendered


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
