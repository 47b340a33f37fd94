"""Adding people to an organisation, from a file or one by one. Every row is checked
first (people_csv); nobody's membership counts until they accept (invitations)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from academy.core.exceptions import ApplicationError
from academy.core.models import User

from .invitations import _audit, invitation_create, invitations_send
from .models import (
    Cohort,
    ImportJob,
    Invitation,
    Membership,
    Organisation,
)
from .people_csv import PersonRow, PersonRowProblem, person_row_check

# ---------------------------------------------------------------------------
# Adding people.


@dataclass
class ImportResult:
    added_or_invited: int
    invitations: list[tuple[Invitation, str]] = field(default_factory=list)


def _user_for(row: PersonRow) -> tuple[User, bool]:
    """The account with this email, or a new one without a password. Two imports
    naming the same new person at once: the database's unique index decides, and
    the loser uses the winner's account."""
    UserModel = get_user_model()
    user = UserModel.objects.filter(email__iexact=row.email).first()
    if user is not None:
        return user, False
    user = UserModel(
        email=row.email,
        full_name=row.full_name,
        jurisdiction="",
        work_role=row.work_role,
        preferred_language=row.language or settings.LANGUAGE_CODE,
    )
    user.set_unusable_password()  # no password hashing in the import itself
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return UserModel.objects.get(email__iexact=row.email), False
    return user, True


@transaction.atomic
def people_import(
    *,
    organisation: Organisation,
    rows: list[PersonRow],
    by: User | None,
    client_address: str | None = None,
) -> ImportResult:
    """Add checked rows. A new person gets an account without a password and an
    invitation to choose one; a person with an account gets an invitation to accept
    or decline. Either way their membership waits for their answer. People already
    in the organisation are moved to the cohort and role the row gives."""
    cohorts = {c.name: c for c in Cohort.objects.filter(organisation=organisation)}
    invitations: list[tuple[Invitation, str]] = []
    new_accounts = 0
    for row in rows:
        user, created = _user_for(row)
        new_accounts += created
        try:
            with transaction.atomic():
                membership, made = Membership.objects.get_or_create(
                    user=user,
                    organisation=organisation,
                    defaults={"role": row.role, "cohort": cohorts.get(row.cohort)},
                )
        except IntegrityError:  # a concurrent import of the same person won
            membership, made = (
                Membership.objects.get(user=user, organisation=organisation),
                False,
            )
        membership.role = row.role
        membership.cohort = cohorts.get(row.cohort)
        invite = made
        if not made and not membership.is_current and not membership.is_pending:
            # Removed or declined before: ask again.
            membership.removed_at = membership.declined_at = None
            membership.accepted_at = None
            membership.joined_at = timezone.now()
            invite = True
        membership.save()
        if invite or (membership.is_pending and created):
            kind = (
                Invitation.Kind.ACCOUNT
                if not user.has_usable_password() and user.last_login is None
                else Invitation.Kind.MEMBERSHIP
            )
            invitations.append(
                invitation_create(
                    organisation=organisation, user=user, by=by, kind=kind
                )
            )
    _audit(
        by,
        "people.import",
        organisation,
        organisation,
        client_address,
        rows=len(rows),
        new_accounts=new_accounts,
        invited=len(invitations),
    )
    return ImportResult(added_or_invited=len(rows), invitations=invitations)


def person_add(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    cohort: str,
    role: str,
    work_role: str,
    by: User,
    client_address: str | None = None,
) -> ImportResult:
    """One person, with the same checks as a file's row (never through CSV text)."""
    row_or_problem = person_row_check(
        line=1,
        email=email,
        full_name=full_name,
        cohort=cohort,
        role=role,
        work_role=work_role,
        cohorts={c.name for c in organisation.cohorts.all()},
    )
    if isinstance(row_or_problem, PersonRowProblem):
        raise ApplicationError(row_or_problem.message)
    return people_import(
        organisation=organisation,
        rows=[row_or_problem],
        by=by,
        client_address=client_address,
    )


def import_job_run(*, job_id: int, base_url: str) -> dict:
    """The task worker's import: the same service, then the rows are dropped (only
    counts and errors are kept: retention)."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    try:
        result = people_import(
            organisation=job.organisation,
            rows=[PersonRow.from_dict(row) for row in job.rows],
            by=job.created_by,
        )
    except Exception as error:  # recorded for the status page, then re-raised
        job.status = ImportJob.Status.FAILED
        job.result = {"error": str(error)[:500]}
        job.rows, job.finished_at = [], timezone.now()
        job.save(update_fields=["status", "result", "rows", "finished_at"])
        raise
    invitations_send(invitations=result.invitations, base_url=base_url)
    job.status = ImportJob.Status.DONE
    job.result = {"added_or_invited": result.added_or_invited}
    job.rows, job.finished_at = [], timezone.now()
    job.save(update_fields=["status", "result", "rows", "finished_at"])
    return job.result
