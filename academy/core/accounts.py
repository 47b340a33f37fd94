"""People: registration with email verification, and profile changes."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from .exceptions import ApplicationError
from .mail import send_templated_mail
from .services import audit_event_record

VERIFY_SALT = "academy.email-verification.v2"


def _account_state(user) -> str:
    """Changes when the address is confirmed, changed, or the password changes: a
    verification link made before any of these stops working."""
    raw = f"{user.email}|{user.email_verified_at or ''}|{user.password}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def email_verification_token(*, user) -> str:
    return signing.dumps({"u": user.pk, "s": _account_state(user)}, salt=VERIFY_SALT)


def send_verification_email(*, user, base_url: str) -> None:
    with translation.override(user.preferred_language):
        token = email_verification_token(user=user)
        link = base_url.rstrip("/") + reverse("accounts:verify", args=[token])
    send_templated_mail(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        template="accounts/email/verify",
        context={"user": user, "link": link},
    )


def send_already_registered_email(*, user, base_url: str) -> None:
    """Someone tried to register with an address that has an account: tell its
    owner, and say nothing different to the person registering."""
    with translation.override(user.preferred_language):
        sign_in = base_url.rstrip("/") + reverse("accounts:login")
        reset = base_url.rstrip("/") + reverse("accounts:password_reset")
    send_templated_mail(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        template="accounts/email/already_registered",
        context={"user": user, "sign_in": sign_in, "reset": reset},
    )


def user_by_email(*, email: str):
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


@transaction.atomic
def user_register(
    *,
    email,
    password,
    full_name,
    preferred_language,
    jurisdiction,
    time_zone,
    work_role="",
    client_address=None,
):
    User = get_user_model()
    user = User(
        email=User.objects.normalize_email(email),
        full_name=full_name.strip(),
        preferred_language=preferred_language,
        work_role=work_role,
        jurisdiction=jurisdiction,
        time_zone=time_zone,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_event_record(
        actor=user, action="user.register", target=user, client_address=client_address
    )
    return user


class VerificationFailed(ApplicationError):
    """The link cannot confirm anything: `reason` is invalid, expired or used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def user_verify_email(*, token: str):
    """Confirm the address once. The link signs nobody in; it stops working once
    used, after a password change, or after ACADEMY_EMAIL_VERIFICATION_MAX_AGE."""
    User = get_user_model()
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=settings.ACADEMY_EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise VerificationFailed("expired") from error
    except signing.BadSignature as error:
        raise VerificationFailed("invalid") from error
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    if user is None:
        raise VerificationFailed("invalid")
    if data.get("s") != _account_state(user):
        raise VerificationFailed("used" if user.is_email_verified else "invalid")
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit_event_record(actor=user, action="user.verify_email", target=user)
    return user


@transaction.atomic
def user_update_profile(
    *,
    user,
    full_name,
    preferred_language,
    jurisdiction,
    time_zone,
    reminder_emails=True,
    work_role=None,
):
    user.reminder_emails = reminder_emails
    if work_role is not None:
        user.work_role = work_role
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.jurisdiction = jurisdiction
    user.time_zone = time_zone
    user.full_clean()
    user.save(
        update_fields=[
            "full_name",
            "preferred_language",
            "jurisdiction",
            "time_zone",
            "reminder_emails",
            "work_role",
        ]
    )
    return user
