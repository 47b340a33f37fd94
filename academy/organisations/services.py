"""Writes for organisations: adding people (with their consent), invitations,
memberships, assignments, extensions and exemptions. Every change is audited.

Consent: a coordinator may add anyone by email, but a person's training reaches an
organisation only once they accept. A new account accepts by choosing its password
through the invitation; an existing account accepts or declines, signed in. Until
then the coordinator sees the name and email they typed, nothing else."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.assessments.models import Accommodation, AssessmentPage
from academy.certificates.models import Certificate
from academy.core.exceptions import ApplicationError
from academy.core.models import User
from academy.courses.models import CoursePage

from .figures import RECOUNTING_SECONDS, recounting_key
from .invitations import (  # noqa: F401 - the services views call
    INVITATION_DAYS,
    NotInYourOrganisation,
    _audit,
    invitation_accept,
    invitation_create,
    invitation_email,
    invitation_resend,
    invitation_respond,
    invitation_withdraw,
    invitations_send,
    membership_respond,
)
from .models import (
    Assignment,
    Cohort,
    DueExtension,
    Exemption,
    ExportJob,
    ImportJob,
    Invitation,
    Membership,
    Organisation,
)
from .people import ImportResult, people_import
from .people_csv import TASK_ROWS, PersonRow
from .tasks import certificates_zip_task, figures_recount_task, people_import_task

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# The dashboard's figures.


def figures_recount_soon(
    *,
    organisation: Organisation,
    cohort_id: int | None = None,
    course_id: int | None = None,
    status: str = "",
) -> bool:
    """Have the queue count a dashboard's figures again (they were shown counted
    before the latest activity; figures.py), unless a count of them is already
    waiting or running. True if this asked."""
    key = recounting_key(organisation.pk, cohort_id, course_id, status)
    if not cache.add(key, True, RECOUNTING_SECONDS):
        return False
    try:
        figures_recount_task.enqueue(organisation.pk, cohort_id, course_id, status)
    except Exception:
        # A queue that is down must not take the dashboard with it: the figures
        # it has are shown, the next view asks again, and figures over an hour old
        # are counted by the page itself (figures.FIGURES_KEPT_SECONDS).
        cache.delete(key)
        logger.exception("Could not ask the queue to count %s's figures", organisation)
        return False
    return True


# ---------------------------------------------------------------------------
# Adding people.


def people_import_start(
    *,
    organisation: Organisation,
    rows: list[PersonRow],
    by: User,
    base_url: str,
    client_address: str | None = None,
) -> ImportResult | ImportJob:
    """Import now, or — beyond TASK_ROWS — queue a job for the task worker. Either
    way the rows were checked first, and invitations are mailed only once the rows
    are written."""
    if len(rows) > TASK_ROWS:
        with transaction.atomic():
            job = ImportJob.objects.create(
                organisation=organisation,
                created_by=by,
                rows=[r.as_dict() for r in rows],
                row_count=len(rows),
            )
            _audit(
                by,
                "people.import_queued",
                job,
                organisation,
                client_address,
                rows=len(rows),
            )
        people_import_task.enqueue(job.pk, base_url)
        return job
    result = people_import(
        organisation=organisation, rows=rows, by=by, client_address=client_address
    )
    invitations_send(invitations=result.invitations, base_url=base_url)
    return result


# ---------------------------------------------------------------------------
# Members of the organisation (current members only: L1).


def _current(membership: Membership) -> Membership:
    if not membership.is_current:
        raise ApplicationError(
            _("This person is not a current member: their record can no longer change.")
        )
    return membership


@transaction.atomic
def membership_move(
    *, membership: Membership, cohort: Cohort | None, by: User, client_address=None
) -> Membership:
    _current(membership)
    if cohort is not None and cohort.organisation_id != membership.organisation_id:
        raise NotInYourOrganisation(_("That cohort is not in your organisation."))
    before = membership.cohort_id
    membership.cohort = cohort
    membership.save(update_fields=["cohort", "updated_at"])
    _audit(
        by,
        "member.move",
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
        cohort=[before, cohort.pk if cohort else None],
    )
    return membership


@transaction.atomic
def membership_role_change(
    *, membership: Membership, role: str, by: User, client_address=None
) -> Membership:
    _current(membership)
    if role not in Membership.Role.values:
        raise ApplicationError(_("Choose learner or coordinator."))
    if membership.user_id == by.pk and role != Membership.Role.COORDINATOR:
        raise ApplicationError(_("Ask another coordinator to change your own role."))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _audit(
        by,
        "member.role",
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
        role=[before, role],
    )
    return membership


@transaction.atomic
def membership_employer_roles_set(
    *,
    membership: Membership,
    is_manager: bool,
    supervises_partnership_hire: bool,
    by: User,
    client_address=None,
) -> Membership:
    """An employer's coordinator says who its managers are and who supervises a
    partnership hire (the workplace standard's training requirement counts them)."""
    _current(membership)
    if membership.organisation.kind != membership.organisation.Kind.EMPLOYER:
        raise ApplicationError(_("Only employers name managers and supervisors."))
    if (
        not Membership.objects.coordinators()
        .filter(organisation=membership.organisation, user=by)
        .exists()
    ):
        raise ApplicationError(
            _("Only the organisation's training coordinators can change this.")
        )
    before = [membership.is_manager, membership.supervises_partnership_hire]
    membership.is_manager = bool(is_manager)
    membership.supervises_partnership_hire = bool(supervises_partnership_hire)
    membership.save(
        update_fields=["is_manager", "supervises_partnership_hire", "updated_at"]
    )
    _audit(
        by,
        "member.employer_roles",
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
        manager=[before[0], membership.is_manager],
        supervisor=[before[1], membership.supervises_partnership_hire],
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, by: User, client_address=None
) -> Membership:
    """Remove from the organisation: their training records stay theirs, and any
    invitation still waiting stops working."""
    if membership.removed_at is not None:
        raise ApplicationError(_("This person was already removed."))
    if membership.user_id == by.pk:
        raise ApplicationError(_("You cannot remove yourself."))
    now = timezone.now()
    membership.removed_at = now
    membership.save(update_fields=["removed_at", "updated_at"])
    Invitation.objects.filter(
        organisation=membership.organisation,
        user=membership.user,
        accepted_at=None,
        declined_at=None,
        withdrawn_at=None,
    ).update(withdrawn_at=now)
    _audit(
        by,
        "member.remove",
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
    )
    return membership


@transaction.atomic
def assignment_create(
    *,
    organisation: Organisation,
    course: CoursePage,
    by: User,
    cohort: Cohort | None = None,
    user: User | None = None,
    due_on: date | None = None,
    due_days_after_joining: int | None = None,
    recurrence_months: int | None = None,
    mandatory: bool = True,
    client_address: str | None = None,
) -> Assignment:
    if (cohort is None) == (user is None):
        raise ApplicationError(_("Assign the course to a cohort or to one person."))
    if (due_on is None) == (due_days_after_joining is None):
        raise ApplicationError(_("Give a due date, or a number of days after joining."))
    if due_on is not None and due_on < timezone.localdate():
        raise ApplicationError(_("The due date is in the past; choose a later one."))
    if cohort is not None and cohort.organisation_id != organisation.pk:
        raise NotInYourOrganisation(_("That cohort is not in your organisation."))
    if (
        user is not None
        and not Membership.objects.current()
        .filter(organisation=organisation, user=user)
        .exists()
    ):
        raise NotInYourOrganisation(_("That person is not in your organisation."))
    assignment = Assignment(
        organisation=organisation,
        course=course,
        cohort=cohort,
        user=user,
        due_on=due_on,
        due_days_after_joining=due_days_after_joining,
        recurrence_months=recurrence_months,
        mandatory=mandatory,
        assigned_by=by,
    )
    assignment.full_clean()
    assignment.save()
    _audit(
        by,
        "assignment.create",
        assignment,
        organisation,
        client_address,
        course=course.pk,
        cohort=cohort.pk if cohort else None,
        user=user.pk if user else None,
        due_on=str(due_on) if due_on else None,
        days=due_days_after_joining,
        recurrence=recurrence_months,
    )
    return assignment


@transaction.atomic
def due_extension_create(
    *,
    assignment: Assignment,
    membership: Membership,
    due_on: date,
    reason: str,
    by: User,
    client_address=None,
) -> DueExtension:
    _current(membership)
    if assignment.organisation_id != membership.organisation_id:
        raise NotInYourOrganisation(_("That assignment is not in your organisation."))
    if due_on < timezone.localdate():
        raise ApplicationError(
            _("The new due date is in the past; choose a later one.")
        )
    extension = DueExtension.objects.create(
        assignment=assignment,
        user=membership.user,
        due_on=due_on,
        reason=reason,
        granted_by=by,
    )
    _audit(
        by,
        "assignment.extend",
        extension,
        assignment.organisation,
        client_address,
        assignment=assignment.pk,
        user=membership.user_id,
        due_on=str(due_on),
        reason=reason,
    )
    return extension


@transaction.atomic
def exemption_record(
    *,
    membership: Membership,
    course: CoursePage,
    kind: str,
    reason: str,
    by: User,
    client_address=None,
) -> Exemption:
    _current(membership)
    if not (reason or "").strip():
        raise ApplicationError(
            _("Give the reason; it is shown wherever the record is.")
        )
    if kind not in Exemption.Kind.values:
        raise ApplicationError(_("Choose prior learning or exemption."))
    exemption, _created = Exemption.objects.update_or_create(
        organisation=membership.organisation,
        user=membership.user,
        course=course,
        defaults={"kind": kind, "reason": reason.strip(), "recorded_by": by},
    )
    _audit(
        by,
        "exemption.record",
        exemption,
        membership.organisation,
        client_address,
        user=membership.user_id,
        course=course.pk,
        kind=kind,
        reason=reason.strip(),
    )
    return exemption


# ---------------------------------------------------------------------------
# Certificates as a ZIP, for an audit.

ZIP_STREAM_MAX = 500  # streamed at once up to this many files; a task beyond
ZIP_MAX = 5000


def certificates_of(*, rows: Iterable[dict]) -> list[Certificate]:
    """The current certificate of each assigned course shown in the filtered
    matrix (current members only: nobody's record reaches the organisation without
    their consent), never a revoked one."""
    ids = set()
    for row in rows:
        for duty in row["cells"]:
            certificate = duty.status.certificate if duty else None
            if certificate is not None and certificate.revoked_at is None:
                ids.add(certificate.pk)
    return list(
        Certificate.objects.filter(pk__in=ids).order_by(
            "holder_name", "course_key", "pk"
        )
    )


def certificates_zip_start(
    *, organisation: Organisation, certificates: list[Certificate], by: User
) -> ExportJob:
    if len(certificates) > ZIP_MAX:
        raise ApplicationError(
            _(
                "That is %(n)s certificates; a ZIP holds at most %(max)s. "
                "Filter further."
            )
            % {"n": len(certificates), "max": ZIP_MAX}
        )
    job = ExportJob.objects.create(
        organisation=organisation,
        created_by=by,
        certificate_ids=[c.pk for c in certificates],
        count=len(certificates),
    )
    _audit(by, "export.certificates", job, organisation, None, count=job.count)
    transaction.on_commit(lambda: certificates_zip_task.enqueue(job.pk))
    return job


# ---------------------------------------------------------------------------
# Extra time on a timed assessment, granted by the person's coordinator.


@transaction.atomic
def accommodation_grant(
    *,
    membership: Membership,
    assessment: AssessmentPage,
    extra_time_percent: int,
    reason: str,
    by: User,
    client_address=None,
) -> Accommodation:
    _current(membership)
    if not assessment.time_limit_minutes:
        raise ApplicationError(_("That assessment has no time limit."))
    if not 1 <= extra_time_percent <= 300:
        raise ApplicationError(_("Extra time is 1% to 300% of the time limit."))
    accommodation, _created = Accommodation.objects.update_or_create(
        user=membership.user,
        assessment=assessment,
        defaults={
            "extra_time_percent": extra_time_percent,
            "reason": (reason or "").strip()[:200],
        },
    )
    _audit(
        by,
        "member.accommodation",
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
        assessment=assessment.pk,
        extra_time_percent=extra_time_percent,
    )
    return accommodation
