"""People: registration with email verification, and profile changes."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .exceptions import ApplicationError
from .services import audit_event_record

VERIFY_SALT = "academy.email-verification"


def email_verification_token(*, user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


def send_verification_email(*, user, base_url: str) -> None:
    with translation.override(user.preferred_language):
        token = email_verification_token(user=user)
        link = base_url.rstrip("/") + reverse("accounts:verify", args=[token])
        context = {"user": user, "link": link}
        subject = render_to_string("accounts/email/verify_subject.txt", context).strip()
        body = render_to_string("accounts/email/verify_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@transaction.atomic
def user_register(
    *,
    email,
    password,
    full_name,
    preferred_language,
    jurisdiction,
    time_zone,
    client_address=None,
):
    User = get_user_model()
    user = User(
        email=User.objects.normalize_email(email),
        full_name=full_name.strip(),
        preferred_language=preferred_language,
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


@transaction.atomic
def user_verify_email(*, token: str):
    User = get_user_model()
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=settings.ACADEMY_EMAIL_VERIFICATION_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise ApplicationError("expired") from error
    except signing.BadSignature as error:
        raise ApplicationError("invalid") from error
    user = User.objects.select_for_update().filter(pk=data.get("u")).first()
    if user is None or user.email != data.get("e"):
        raise ApplicationError("invalid")
    if user.email_verified_at is None:
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
):
    user.reminder_emails = reminder_emails
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
        ]
    )
    return user
