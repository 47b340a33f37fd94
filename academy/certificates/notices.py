"""Notices to a certificate's holder before it expires: 90, 30 and 7 days before,
and on the day, once each (ExpiryNotice's unique key), in the holder's language and
counted in their time zone. None once a renewal has been earned. The queue carries
the certificate's id and the mark only."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from academy.core.mail import send_templated_mail
from academy.courses.models import CoursePage

from .models import Certificate, ExpiryNotice

MARKS = (90, 30, 7, 0)


def _local_date(moment: datetime.datetime, zone_name: str) -> datetime.date:
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def mark_for(days_left: int) -> int | None:
    """The notice due with this many whole days left (in the holder's calendar):
    the 90-day one from 90 to 31 days, the 30-day one from 30 to 8, the 7-day one
    from 7 to 1, and one on the day itself."""
    if days_left == 0:
        return 0
    if 0 < days_left <= 7:
        return 7
    if 7 < days_left <= 30:
        return 30
    if 30 < days_left <= 90:
        return 90
    return None


def expiry_notices_plan(*, now: datetime.datetime | None = None) -> list[dict]:
    """[{certificate_id, days}] to send now."""
    now = now or timezone.now()
    candidates = (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=now - datetime.timedelta(days=2),
            expires_at__lte=now + datetime.timedelta(days=92),
            renewed_by__isnull=True,
            user__is_active=True,
        )
        .select_related("user")
        .only("pk", "expires_at", "user__time_zone")
    )
    planned = []
    for c in candidates:
        days_left = (
            _local_date(c.expires_at, c.user.time_zone)
            - _local_date(now, c.user.time_zone)
        ).days
        mark = mark_for(days_left)
        if mark is not None:
            planned.append({"certificate_id": c.pk, "days": mark})
    sent = set(
        ExpiryNotice.objects.filter(
            certificate_id__in=[p["certificate_id"] for p in planned]
        ).values_list("certificate_id", "days")
    )
    return [p for p in planned if (p["certificate_id"], p["days"]) not in sent]


def _renew_url(certificate: Certificate, language: str) -> str:
    course = certificate.course
    if course is None:
        return settings.ACADEMY_PUBLIC_URL + f"/{language}/courses/"
    refresher = CoursePage.objects.live().filter(renews=course).first()
    target = refresher or course
    with translation.override(language):
        return settings.ACADEMY_PUBLIC_URL + target.url


def expiry_notice_deliver(*, certificate_id: int, days: int) -> bool:
    """Claim the notice (once only), then write it in the holder's language."""
    certificate = (
        Certificate.objects.select_related("user", "course")
        .filter(pk=certificate_id, revoked_at__isnull=True)
        .first()
    )
    if certificate is None or certificate.renewed_by.exists():
        return False
    try:
        with transaction.atomic():
            ExpiryNotice.objects.create(certificate=certificate, days=days)
    except IntegrityError:
        return False  # sent already, by an earlier run or another worker
    user = certificate.user
    left = (
        _local_date(certificate.expires_at, user.time_zone)
        - _local_date(timezone.now(), user.time_zone)
    ).days
    send_templated_mail(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        template="certificates/email/expiry",
        context={
            "user": user,
            "days": max(0, left),
            "course": certificate.course_title,
            "expires_on": certificate.expires_at,
            "code": certificate.code,
            "renew_url": _renew_url(certificate, user.preferred_language),
        },
    )
    return True
