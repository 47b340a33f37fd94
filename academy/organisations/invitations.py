"""Invitations and consent: a person's training reaches an organisation only once
they accept. A new account accepts by choosing its password through its invitation;
an existing account accepts or declines, signed in as itself."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.core.mail import send_templated_mail
from academy.core.models import User
from academy.core.services import audit_event_record

from .models import (
    Invitation,
    Membership,
    Organisation,
)

INVITATION_DAYS = 14


class NotInYourOrganisation(ApplicationError):
    status = 404


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(by, action, target, organisation, client_address, **details):
    audit_event_record(
        actor=by,
        action=action,
        target=target,
        organisation=organisation,
        client_address=client_address,
        details=details,
    )


# ---------------------------------------------------------------------------
# Invitations.


def invitation_create(
    *, organisation: Organisation, user: User, by: User | None, kind: str
) -> tuple[Invitation, str]:
    """A new single-use link; earlier pending ones for the same person stop working."""
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation,
        user=user,
        accepted_at=None,
        withdrawn_at=None,
        declined_at=None,
    ).update(withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        user=user,
        kind=kind,
        token_hash=_hash(token),
        expires_at=now + timedelta(days=INVITATION_DAYS),
        sent_at=now,
        invited_by=by,
    )
    return invitation, token


def invitation_email(*, invitation: Invitation, token: str, base_url: str) -> None:
    user = invitation.user
    link = base_url.rstrip("/") + reverse("invitation", args=[token])
    send_templated_mail(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        template=(
            "accounts/email/invitation"
            if invitation.kind == Invitation.Kind.ACCOUNT
            else "accounts/email/membership_invitation"
        ),
        context={
            "user": user,
            "link": link,
            "organisation": invitation.organisation,
            "days": INVITATION_DAYS,
        },
    )


def invitations_send(*, invitations: list[tuple[Invitation, str]], base_url: str):
    """Mail each invitation. Call it after the import's transaction has returned, so
    a rolled-back import mails nobody."""
    for invitation, token in invitations:
        invitation_email(invitation=invitation, token=token, base_url=base_url)


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """A new account chooses its password through its invitation: that proves the
    address and is the person's acceptance of the membership."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user", "organisation")
        .filter(token_hash=_hash(token))
        .first()
    )
    _check_usable(invitation, Invitation.Kind.ACCOUNT)
    assert invitation is not None
    user = invitation.user
    user.set_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()  # the link proved the address
    user.save(update_fields=["password", "email_verified_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    _membership_accept(invitation.organisation, user)
    return user


def _check_usable(invitation: Invitation | None, kind: str) -> None:
    if invitation is None or invitation.kind != kind:
        raise ApplicationError("invalid")
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise ApplicationError("used")
    if invitation.withdrawn_at is not None:
        raise ApplicationError("withdrawn")
    if invitation.expires_at <= timezone.now():
        raise ApplicationError("expired")


def _membership_accept(organisation: Organisation, user: User) -> Membership | None:
    membership = (
        Membership.objects.select_for_update()
        .filter(organisation=organisation, user=user, removed_at__isnull=True)
        .first()
    )
    if membership is None or membership.accepted_at is not None:
        return membership
    now = timezone.now()
    membership.accepted_at = now
    membership.declined_at = None
    membership.joined_at = now  # due dates "N days after joining" count from here
    membership.save(update_fields=["accepted_at", "declined_at", "joined_at"])
    _audit(user, "member.accept", membership, organisation, None, user=user.pk)
    return membership


@transaction.atomic
def membership_respond(
    *, membership: Membership, user: User, accept: bool, client_address=None
) -> Membership:
    """The person says yes or no to belonging to the organisation."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != user.pk:
        raise NotInYourOrganisation(_("This invitation is not yours."))
    if not membership.is_pending:
        raise ApplicationError(_("You have already answered this invitation."))
    now = timezone.now()
    pending = Invitation.objects.filter(
        organisation=membership.organisation,
        user=user,
        accepted_at=None,
        declined_at=None,
        withdrawn_at=None,
    )
    if accept:
        pending.update(accepted_at=now)
        _membership_accept(membership.organisation, user)
        membership.refresh_from_db()
    else:
        pending.update(declined_at=now)
        membership.declined_at = now
        membership.save(update_fields=["declined_at"])
        _audit(
            user,
            "member.decline",
            membership,
            membership.organisation,
            client_address,
            user=user.pk,
        )
    return membership


@transaction.atomic
def invitation_respond(
    *, token: str, user: User, accept: bool, client_address=None
) -> Membership:
    """An existing account answers the invitation in its email, signed in as itself."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=_hash(token))
        .first()
    )
    _check_usable(invitation, Invitation.Kind.MEMBERSHIP)
    assert invitation is not None
    if invitation.user_id != user.pk:
        raise ApplicationError("other-account")
    membership = Membership.objects.filter(
        organisation=invitation.organisation, user=user
    ).first()
    if membership is None or not membership.is_pending:
        raise ApplicationError("used")
    return membership_respond(
        membership=membership, user=user, accept=accept, client_address=client_address
    )


@transaction.atomic
def invitation_resend(
    *, invitation: Invitation, by: User, client_address=None
) -> tuple[Invitation, str]:
    """A fresh link for someone who has not answered yet; never for an answered
    invitation or a person no longer in the organisation."""
    membership = Membership.objects.filter(
        organisation=invitation.organisation, user=invitation.user
    ).first()
    if (
        invitation.accepted_at is not None
        or invitation.declined_at is not None
        or membership is None
        or not membership.is_pending
    ):
        raise ApplicationError(_("This person has already answered; nothing to send."))
    new, token = invitation_create(
        organisation=invitation.organisation,
        user=invitation.user,
        by=by,
        kind=invitation.kind,
    )
    new.send_count = invitation.send_count + 1
    new.save(update_fields=["send_count"])
    _audit(
        by,
        "invitation.resend",
        new,
        invitation.organisation,
        client_address,
        user=invitation.user_id,
    )
    return new, token


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: User, client_address=None):
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise ApplicationError(_("This invitation was already answered."))
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at", "updated_at"])
    Membership.objects.pending().filter(
        organisation=invitation.organisation, user=invitation.user
    ).update(removed_at=timezone.now())
    _audit(
        by,
        "invitation.withdraw",
        invitation,
        invitation.organisation,
        client_address,
        user=invitation.user_id,
    )
    return invitation
