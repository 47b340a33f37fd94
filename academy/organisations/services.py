"""Writes for organisations: importing people, and invitations. Audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _l

from academy.core.exceptions import ApplicationError
from academy.core.services import audit_event_record

from .models import (
    Assignment,
    Cohort,
    DueExtension,
    Exemption,
    Invitation,
    Membership,
    Organisation,
)
from .people_csv import PersonRow

INVITATION_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, organisation, user, by) -> tuple[Invitation, str]:
    """A new single-use link; earlier pending ones for the same person stop working."""
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation, user=user, accepted_at=None, withdrawn_at=None
    ).update(withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        user=user,
        token_hash=_hash(token),
        expires_at=now + timedelta(days=INVITATION_DAYS),
        sent_at=now,
        invited_by=by,
    )
    return invitation, token


def invitation_email(*, invitation: Invitation, token: str, base_url: str) -> None:
    user = invitation.user
    with translation.override(user.preferred_language):
        link = base_url.rstrip("/") + reverse("invitation", args=[token])
        context = {
            "user": user,
            "link": link,
            "organisation": invitation.organisation,
            "days": INVITATION_DAYS,
        }
        subject = render_to_string(
            "accounts/email/invitation_subject.txt", context
        ).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@transaction.atomic
def people_import(
    *,
    organisation: Organisation,
    rows: list[PersonRow],
    by,
    client_address: str | None = None,
) -> dict:
    """Add checked rows: existing accounts are matched by email (never duplicated);
    new people get an account without a password and an invitation to set one."""
    User = get_user_model()
    cohorts = {c.name: c for c in Cohort.objects.filter(organisation=organisation)}
    created = matched = 0
    invitations: list[tuple[Invitation, str]] = []
    for row in rows:
        user = User.objects.filter(email__iexact=row.email).first()
        if user is None:
            user = User(
                email=row.email,
                full_name=row.full_name,
                jurisdiction="",
                preferred_language=translation.get_language() or settings.LANGUAGE_CODE,
            )
            user.set_unusable_password()  # no password hashing in the import itself
            user.full_clean(exclude=["password"])
            user.save()
            created += 1
            invitations.append(
                invitation_create(organisation=organisation, user=user, by=by)
            )
        else:
            matched += 1
        membership, _new = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": row.role}
        )
        membership.role = row.role
        membership.cohort = cohorts.get(row.cohort)
        if membership.removed_at is not None:
            membership.removed_at = None
            membership.joined_at = timezone.now()
        membership.save()
    audit_event_record(
        actor=by,
        action="people.import",
        target=organisation,
        organisation=organisation,
        client_address=client_address,
        details={"rows": len(rows), "created": created, "matched": matched},
    )
    return {"created": created, "matched": matched, "invitations": invitations}


@transaction.atomic
def invitation_accept(*, token: str, password: str):
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        raise ApplicationError("invalid")
    if invitation.accepted_at is not None:
        raise ApplicationError("used")
    if invitation.withdrawn_at is not None:
        raise ApplicationError("withdrawn")
    if invitation.expires_at <= timezone.now():
        raise ApplicationError("expired")
    user = invitation.user
    user.set_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()  # the link proved the address
    user.save(update_fields=["password", "email_verified_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return user


def _audit(by, action, target, organisation, client_address, **details):
    audit_event_record(
        actor=by,
        action=action,
        target=target,
        organisation=organisation,
        client_address=client_address,
        details=details,
    )


@transaction.atomic
def assignment_create(
    *,
    organisation,
    course,
    by,
    cohort=None,
    user=None,
    due_on=None,
    due_days_after_joining=None,
    recurrence_months=None,
    mandatory=True,
    client_address=None,
):
    if (cohort is None) == (user is None):
        raise ApplicationError(_l("Assign the course to a cohort or to one person."))
    if (due_on is None) == (due_days_after_joining is None):
        raise ApplicationError(
            _l("Give a due date, or a number of days after joining.")
        )
    if cohort is not None and cohort.organisation_id != organisation.pk:
        raise ApplicationError(_l("That cohort is not in your organisation."))
    if (
        user is not None
        and not Membership.objects.current()
        .filter(organisation=organisation, user=user)
        .exists()
    ):
        raise ApplicationError(_l("That person is not in your organisation."))
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
def due_extend(*, assignment, user, due_on, reason, by, client_address=None):
    extension = DueExtension.objects.create(
        assignment=assignment, user=user, due_on=due_on, reason=reason, granted_by=by
    )
    _audit(
        by,
        "assignment.extend",
        extension,
        assignment.organisation,
        client_address,
        assignment=assignment.pk,
        user=user.pk,
        due_on=str(due_on),
        reason=reason,
    )
    return extension


@transaction.atomic
def exemption_record(
    *, organisation, user, course, kind, reason, by, client_address=None
):
    if not (reason or "").strip():
        raise ApplicationError(
            _l("Give the reason; it is shown wherever the record is.")
        )
    exemption, created = Exemption.objects.update_or_create(
        organisation=organisation,
        user=user,
        course=course,
        defaults={"kind": kind, "reason": reason.strip(), "recorded_by": by},
    )
    _audit(
        by,
        "exemption.record",
        exemption,
        organisation,
        client_address,
        user=user.pk,
        course=course.pk,
        kind=kind,
        reason=reason.strip(),
    )
    return exemption


KEEP = object()  # member_update: leave the cohort as it is


@transaction.atomic
def member_update(
    *, membership, by, cohort=KEEP, role=None, remove=False, client_address=None
):
    """Move to another cohort, change role, or remove from the organisation (their
    records stay theirs)."""
    changes: dict[str, object] = {}
    if cohort is not KEEP:
        if cohort is not None and cohort.organisation_id != membership.organisation_id:
            raise ApplicationError(_l("That cohort is not in your organisation."))
        changes["cohort"] = [membership.cohort_id, cohort.pk if cohort else None]
        membership.cohort = cohort
    if role is not None and role != membership.role:
        changes["role"] = [membership.role, role]
        membership.role = role
    if remove:
        if membership.user_id == getattr(by, "pk", None):
            raise ApplicationError(_l("You cannot remove yourself."))
        membership.removed_at = timezone.now()
        changes["removed"] = True
    membership.save()
    action = (
        "member.remove"
        if remove
        else "member.role"
        if "role" in changes
        else "member.move"
    )
    _audit(
        by,
        action,
        membership,
        membership.organisation,
        client_address,
        user=membership.user_id,
        **{k: v for k, v in changes.items() if k != "removed"},
    )
    return membership


@transaction.atomic
def invitation_withdraw(*, invitation, by, client_address=None):
    if invitation.accepted_at is not None:
        raise ApplicationError(_l("This invitation was already used."))
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at", "updated_at"])
    _audit(
        by,
        "invitation.withdraw",
        invitation,
        invitation.organisation,
        client_address,
        user=invitation.user_id,
    )
    return invitation
