"""Reads for workplace certification: who may act, the training requirement, the
state of each criterion, what assessors have to do, and the public register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.certificates.models import Certificate, OrganisationCertificate
from academy.core.models import User
from academy.organisations.models import Membership, Organisation

from .models import (
    ASSESSORS_GROUP,
    Attestation,
    Certification,
    CriterionAnswer,
    CriterionReview,
    Evidence,
    RegisterConsent,
    Standard,
)

STANDARD = "workplace"
RENEWAL_OPENS_DAYS = 90  # a renewal can be started this long before expiry
ATTESTATION_OPENS_DAYS = 60  # the annual attestation can be made this early


def standard_current(key: str = STANDARD) -> Standard | None:
    """The newest loaded version of a standard."""
    return Standard.objects.filter(key=key).order_by("-loaded_at", "-pk").first()


def is_assessor(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_superuser
        or user.groups.filter(name=ASSESSORS_GROUP).exists()
        or user.has_perm("workplace.review_certification")
    )


def managed_employers(*, user: User | AnonymousUser) -> list[Organisation]:
    """Employers whose certification this person may work on: they belong (a
    current membership) as a training coordinator or a designated manager."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.EMPLOYER,
            memberships__in=Membership.objects.current().filter(
                Q(role=Membership.Role.COORDINATOR) | Q(is_manager=True), user=user
            ),
        )
        .distinct()
        .order_by("name")
    )


def member_organisation_ids(*, user: User) -> set[int]:
    """Organisations the person currently belongs to (an assessor never reviews
    these)."""
    return set(
        Membership.objects.current()
        .filter(user=user)
        .values_list("organisation_id", flat=True)
    )


# ---------------------------------------------------------------------------
# The training requirement.


@dataclass
class TrainingCheck:
    manager_course: str
    supervisor_course: str
    required_share: int  # percent
    managers: list[tuple[Membership, bool]]  # (membership, holds a valid certificate)
    supervisors: list[tuple[Membership, bool]]

    @property
    def managers_certified(self) -> int:
        return sum(1 for _m, ok in self.managers if ok)

    @property
    def share(self) -> int:
        """The share of managers certified, in whole percent (rounded down: 79.9% is
        not 80%)."""
        if not self.managers:
            return 0
        return (100 * self.managers_certified) // len(self.managers)

    @property
    def managers_ok(self) -> bool:
        return bool(self.managers) and (
            100 * self.managers_certified >= self.required_share * len(self.managers)
        )

    @property
    def supervisors_ok(self) -> bool:
        return all(ok for _m, ok in self.supervisors)

    @property
    def holds(self) -> bool:
        return self.managers_ok and self.supervisors_ok

    @property
    def managers_lacking(self) -> list[Membership]:
        return [m for m, ok in self.managers if not ok]

    @property
    def supervisors_lacking(self) -> list[Membership]:
        return [m for m, ok in self.supervisors if not ok]


def training_check(
    *,
    organisation: Organisation,
    standard: Standard,
    at: datetime.datetime | None = None,
) -> TrainingCheck:
    """Who among the organisation's designated managers holds a valid certificate
    of the manager course, and whether everyone who supervises a partnership hire
    holds one of the supervisor course (three queries, whatever the size)."""
    at = at or timezone.now()
    training = standard.training
    people = list(
        Membership.objects.current()
        .filter(organisation=organisation)
        .filter(Q(is_manager=True) | Q(supervises_partnership_hire=True))
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    courses = {training["manager_course"], training["supervisor_course"]}
    held = set(
        Certificate.objects.filter(
            user_id__in=[m.user_id for m in people], course_key__in=courses
        )
        .valid(at=at)
        .values_list("user_id", "course_key")
    )
    return TrainingCheck(
        manager_course=training["manager_course"],
        supervisor_course=training["supervisor_course"],
        required_share=int(training["manager_share_percent"]),
        managers=[
            (m, (m.user_id, training["manager_course"]) in held)
            for m in people
            if m.is_manager
        ],
        supervisors=[
            (m, (m.user_id, training["supervisor_course"]) in held)
            for m in people
            if m.supervises_partnership_hire
        ],
    )


# ---------------------------------------------------------------------------
# Where each criterion stands.


@dataclass
class CriterionState:
    key: str
    required: bool
    words: dict  # title, meaning, evidence (HTML) in the reader's language
    history: list[CriterionAnswer]  # newest first; history[0] is the current answer
    evidence: list[Evidence]  # current files, oldest first
    removed: list[Evidence]
    reviews: list[CriterionReview]  # newest first
    changed_at: datetime.datetime | None  # the organisation's latest change

    @property
    def answer(self) -> CriterionAnswer | None:
        return self.history[0] if self.history else None

    @property
    def review(self) -> CriterionReview | None:
        """The assessor's decision, while it is newer than the latest change."""
        if not self.reviews:
            return None
        latest = self.reviews[0]
        if self.changed_at is not None and latest.created_at < self.changed_at:
            return None
        return latest

    @property
    def accepted(self) -> bool:
        review = self.review
        return (
            review is not None and review.decision == CriterionReview.Decision.ACCEPTED
        )

    @property
    def answered(self) -> bool:
        return self.answer is not None and bool(self.answer.statement.strip())


@dataclass
class DomainState:
    key: str
    words: dict  # title, summary
    criteria: list[CriterionState] = field(default_factory=list)

    @property
    def all_accepted(self) -> bool:
        return all(c.accepted for c in self.criteria if c.required)


def certification_state(
    *, certification: Certification, language: str | None = None
) -> list[DomainState]:
    """Every domain and criterion with its answer, history, files and review (four
    queries, whatever the number of criteria)."""
    standard = certification.standard
    words = standard.words(language)
    answers: dict[str, list[CriterionAnswer]] = {}
    for a in certification.answers.select_related("created_by").order_by(
        "-created_at", "-pk"
    ):
        answers.setdefault(a.criterion_key, []).append(a)
    files: dict[str, list[Evidence]] = {}
    for e in certification.evidence.select_related("uploaded_by").order_by(
        "uploaded_at", "pk"
    ):
        files.setdefault(e.criterion_key, []).append(e)
    reviews: dict[str, list[CriterionReview]] = {}
    for r in certification.reviews.select_related("reviewer").order_by(
        "-created_at", "-pk"
    ):
        reviews.setdefault(r.criterion_key, []).append(r)
    domains = []
    for d in standard.domains:
        dw = (words.get("domains") or {}).get(d["key"]) or {}
        state = DomainState(d["key"], dw)
        for c in d["criteria"]:
            key = c["key"]
            history = answers.get(key, [])
            kept = files.get(key, [])
            changes = [a.created_at for a in history[:1]] + [
                moment
                for e in kept
                for moment in (e.uploaded_at, e.removed_at)
                if moment is not None
            ]
            state.criteria.append(
                CriterionState(
                    key=key,
                    required=c["required"],
                    words=(dw.get("criteria") or {}).get(key) or {"title": key},
                    history=history,
                    evidence=[e for e in kept if e.removed_at is None],
                    removed=[e for e in kept if e.removed_at is not None],
                    reviews=reviews.get(key, []),
                    changed_at=max(changes) if changes else None,
                )
            )
        domains.append(state)
    return domains


def criteria_of(domains: list[DomainState]) -> list[CriterionState]:
    return [c for d in domains for c in d.criteria]


def submission_problems(
    *, certification: Certification, domains: list[DomainState], check: TrainingCheck
) -> list[str]:
    """What stands between a draft and its submission, in words for its managers
    (empty: it can be submitted)."""
    problems = []
    if not certification.editable:
        problems.append(_("It has been submitted already."))
    missing = [c for c in criteria_of(domains) if c.required and not c.answered]
    if missing:
        problems.append(
            _("Answer every required criterion, with a statement: %(n)s still to do.")
            % {"n": len(missing)}
        )
    if not check.managers:
        problems.append(
            _("Name your managers (people with the manager role) on the People tab.")
        )
    elif not check.managers_ok:
        problems.append(
            _(
                "At least %(share)s%% of your managers need a valid certificate of "
                "the Employers course; %(done)s of %(total)s have one."
            )
            % {
                "share": check.required_share,
                "done": check.managers_certified,
                "total": len(check.managers),
            }
        )
    if not check.supervisors_ok:
        problems.append(
            _(
                "Everyone who supervises a partnership hire needs a valid Foundations "
                "certificate; %(n)s do not have one yet."
            )
            % {"n": len(check.supervisors_lacking)}
        )
    return problems


def approval_problems(
    *, certification: Certification, domains: list[DomainState], check: TrainingCheck
) -> list[str]:
    problems = []
    if certification.status != Certification.Status.SUBMITTED:
        problems.append(_("Only a submitted certification can be approved."))
    waiting = [c for c in criteria_of(domains) if c.required and not c.accepted]
    if waiting:
        problems.append(
            _("Accept every required criterion first: %(n)s not accepted.")
            % {"n": len(waiting)}
        )
    if not check.holds:
        problems.append(_("The training requirement does not hold today."))
    return problems


def level_earned(domains: list[DomainState]) -> str:
    """Certified; with distinction when every recommended criterion is accepted
    too, and answered as met."""
    recommended = [c for c in criteria_of(domains) if not c.required]
    if recommended and all(
        c.accepted and c.answer is not None and c.answer.answer == "met"
        for c in recommended
    ):
        return OrganisationCertificate.Level.DISTINCTION
    return OrganisationCertificate.Level.CERTIFIED


# ---------------------------------------------------------------------------
# An organisation's certification over time.


def certification_open(*, organisation: Organisation) -> Certification | None:
    return (
        Certification.objects.open()
        .filter(organisation=organisation)
        .select_related("standard")
        .first()
    )


def certification_approved_latest(
    *, organisation: Organisation
) -> Certification | None:
    return (
        Certification.objects.filter(
            organisation=organisation, status=Certification.Status.APPROVED
        )
        .select_related("certificate", "standard")
        .order_by("-decided_at")
        .first()
    )


def renewal_opens_at(certificate: OrganisationCertificate) -> datetime.datetime:
    return certificate.expires_at - datetime.timedelta(days=RENEWAL_OPENS_DAYS)


def attestation_opens_at(certificate: OrganisationCertificate) -> datetime.datetime:
    return certificate.attested_until - datetime.timedelta(days=ATTESTATION_OPENS_DAYS)


def attestation_can_be_made(
    certificate: OrganisationCertificate, at: datetime.datetime | None = None
) -> bool:
    at = at or timezone.now()
    return (
        certificate.revoked_at is None
        and certificate.expires_at > at
        and certificate.attested_until < certificate.expires_at
        and at >= attestation_opens_at(certificate)
    )


def attestations_waiting() -> list[Attestation]:
    """Attestations that report a change, for an assessor to look at."""
    return list(
        Attestation.objects.filter(nothing_changed=False, accepted_at__isnull=True)
        .select_related("certification__organisation", "made_by")
        .order_by("made_at")
    )


def assessor_queue() -> list[Certification]:
    """Submitted certifications, oldest first; then the recently decided."""
    return list(
        Certification.objects.filter(status=Certification.Status.SUBMITTED)
        .select_related("organisation", "standard", "submitted_by")
        .order_by("submitted_at")
    )


def certifications_recent(limit: int = 20) -> list[Certification]:
    return list(
        Certification.objects.exclude(status=Certification.Status.SUBMITTED)
        .exclude(status=Certification.Status.DRAFT)
        .select_related("organisation", "standard", "decided_by", "certificate")
        .order_by("-decided_at")[:limit]
    )


# ---------------------------------------------------------------------------
# The public register.


def register_listed(*, organisation: Organisation) -> bool:
    latest = (
        RegisterConsent.objects.filter(organisation=organisation)
        .order_by("-changed_at", "-pk")
        .first()
    )
    return bool(latest and latest.listed)


@dataclass(frozen=True)
class RegisterEntry:
    name: str
    city: str
    sector: str  # label
    sector_key: str
    level: str  # label
    level_key: str
    since: datetime.date


def register_entries(
    *, city: str = "", sector: str = "", level: str = "", at=None
) -> list[RegisterEntry]:
    """Certified employers that chose to be listed (the latest consent row says
    listed) and hold a valid certificate now; oldest certified first."""
    at = at or timezone.now()
    latest_consent: dict[int, bool] = {}
    for row in RegisterConsent.objects.order_by(
        "organisation_id", "-changed_at", "-pk"
    ):
        latest_consent.setdefault(row.organisation_id, row.listed)
    listed = [org_id for org_id, on in latest_consent.items() if on]
    approved = (
        Certification.objects.filter(
            organisation_id__in=listed,
            status=Certification.Status.APPROVED,
            certificate__in=OrganisationCertificate.objects.valid(at=at),
        )
        .select_related("organisation", "certificate")
        .order_by("organisation_id", "-decided_at")
    )
    first_certified: dict[int, datetime.datetime] = {}
    for org_id, when in Certification.objects.filter(
        organisation_id__in=listed, status=Certification.Status.APPROVED
    ).values_list("organisation_id", "certificate__valid_from"):
        if org_id not in first_certified or when < first_certified[org_id]:
            first_certified[org_id] = when
    entries: dict[int, RegisterEntry] = {}
    for c in approved:
        org, certificate = c.organisation, c.certificate
        if org.pk in entries or certificate is None:
            continue
        entries[org.pk] = RegisterEntry(
            name=org.name,
            city=org.city,
            sector=org.get_sector_display() if org.sector else "",
            sector_key=org.sector,
            level=certificate.get_level_display(),
            level_key=certificate.level,
            since=timezone.localdate(first_certified[org.pk]),
        )
    rows = [
        e
        for e in entries.values()
        if (not city or e.city.casefold() == city.casefold())
        and (not sector or e.sector_key == sector)
        and (not level or e.level_key == level)
    ]
    return sorted(rows, key=lambda e: (e.since, e.name))
