"""Reminders for certified employers, in the organisations' reminder machinery (one
ReminderSent row per person and key, so each goes out once): the certificate expires
in 90, 30 or 7 days; the annual attestation is due in 30 or 7 days. Sent to the
organisation's coordinators and designated managers, in their own language. The
queue carries ids and a key only."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from academy.core.mail import send_templated_mail
from academy.organisations.models import Membership, ReminderSent

from .models import Certification

EXPIRY_DAYS = (90, 30, 7)
ATTESTATION_DAYS = (30, 7)


def _threshold(days_left: float, marks: tuple[int, ...]) -> int | None:
    """The smallest mark the time left has passed (90, 30, 7…), or None: a missed
    day of cron still sends the notice, once."""
    passed = [m for m in marks if 0 < days_left <= m]
    return min(passed) if passed else None


def workplace_reminders_plan(*, now=None) -> list[dict]:
    now = now or timezone.now()
    latest: dict[int, Certification] = {}
    for c in (
        Certification.objects.filter(status=Certification.Status.APPROVED)
        .select_related("certificate")
        .order_by("organisation_id", "-decided_at")
    ):
        latest.setdefault(c.organisation_id, c)
    people: dict[int, list[int]] = {}
    for m in Membership.objects.current().filter(
        Q(role=Membership.Role.COORDINATOR) | Q(is_manager=True),
        organisation_id__in=list(latest),
    ):
        people.setdefault(m.organisation_id, []).append(m.user_id)
    planned = []
    for org_id, certification in latest.items():
        certificate = certification.certificate
        if certificate.revoked_at is not None or certificate.expires_at <= now:
            continue
        days = (certificate.expires_at - now).total_seconds() / 86400
        mark = _threshold(days, EXPIRY_DAYS)
        keys = []
        if mark is not None:
            keys.append((f"workplace-expiry:{certificate.pk}:{mark}", "expiry"))
        if certificate.attested_until < certificate.expires_at:
            days = (certificate.attested_until - now).total_seconds() / 86400
            mark = _threshold(days, ATTESTATION_DAYS)
            if mark is not None:
                due = certificate.attested_until.date().isoformat()
                keys.append(
                    (f"workplace-attest:{certificate.pk}:{due}:{mark}", "attestation")
                )
        for user_id in sorted(set(people.get(org_id, []))):
            for key, template in keys:
                planned.append({"user_id": user_id, "key": key, "template": template})
    sent = set(
        ReminderSent.objects.filter(key__in={p["key"] for p in planned}).values_list(
            "user_id", "key"
        )
    )
    return [p for p in planned if (p["user_id"], p["key"]) not in sent]


def workplace_reminder_deliver(*, user_id: int, key: str, template: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    certificate_id = int(key.split(":")[1])
    certification = (
        Certification.objects.filter(certificate_id=certificate_id)
        .select_related("certificate", "organisation")
        .first()
    )
    if user is None or certification is None:
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user_id=user_id, key=key)
    except IntegrityError:
        return False
    certificate = certification.certificate
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    with translation.override(user.preferred_language), timezone.override(zone):
        when = (
            certificate.expires_at
            if template == "expiry"
            else certificate.attested_until
        )
        context = {
            "user": user,
            "organisation": certification.organisation.name,
            "code": certificate.code,
            "date": timezone.localdate(when),
            "days": max(0, (when - timezone.now()).days),
            "site": settings.ACADEMY_PUBLIC_URL,
        }
    send_templated_mail(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        template=f"workplace/email/{template}",
        context=context,
    )
    return True
