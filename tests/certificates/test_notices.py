"""Expiry notices: 90, 30 and 7 days before a certificate ends and on the day, once
each, in the holder's language and calendar; none after a renewal."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from academy.certificates.models import Certificate, ExpiryNotice
from academy.certificates.notices import (
    expiry_notice_deliver,
    expiry_notices_plan,
    mark_for,
)

from .. import factories

pytestmark = pytest.mark.django_db


def _ending_in(user, days, **fields):
    certificate = factories.make_certificate(user=user, course_key="foundations")
    end = timezone.now() + datetime.timedelta(days=days)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=end, valid_from=end - datetime.timedelta(days=730), **fields
    )
    certificate.refresh_from_db()
    return certificate


@pytest.mark.parametrize(
    ("days", "mark"),
    [
        (120, None),
        (90, 90),
        (31, 90),
        (30, 30),
        (8, 30),
        (7, 7),
        (1, 7),
        (0, 0),
        (-1, None),
    ],
)
def test_each_notice_has_its_window(days, mark):
    assert mark_for(days) == mark


def test_the_notices_go_out_once_each_in_the_holders_language(learner):
    learner.preferred_language = "es"
    learner.time_zone = "UTC"
    learner.save()
    # Noon, 80 days on: 80 days left in the holder's calendar at any hour of today.
    certificate = _ending_in(learner, 80)
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=noon + datetime.timedelta(days=80)
    )
    certificate.refresh_from_db()
    assert expiry_notices_plan() == [{"certificate_id": certificate.pk, "days": 90}]
    mail.outbox.clear()
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [learner.email]
    assert "Foundations" in mail.outbox[0].subject
    assert "80" in mail.outbox[0].subject  # the days left, not the notice's mark
    assert mail.outbox[0].body.startswith("Hola")  # in the holder's language
    assert "/es/courses/" in mail.outbox[0].body
    assert expiry_notice_deliver(certificate_id=certificate.pk, days=90) is False
    # Later, the 30-day and 7-day notices, each once.
    for days, mark in ((20, 30), (3, 7)):
        moment = certificate.expires_at - datetime.timedelta(days=days)
        assert expiry_notices_plan(now=moment) == [
            {"certificate_id": certificate.pk, "days": mark}
        ]
    assert ExpiryNotice.objects.count() == 1


def test_on_the_day_in_the_holders_time_zone(learner):
    """At 06:00 in Auckland it is still the day before in UTC: the notice follows
    the holder's calendar, so it is the on-the-day notice, not the 7-day one."""
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    learner.time_zone = "Pacific/Auckland"
    learner.save()
    certificate = _ending_in(learner, 5)
    local_day = (timezone.now() + datetime.timedelta(days=5)).astimezone(auckland)
    end = local_day.replace(hour=9, minute=0, second=0, microsecond=0)
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=end)
    morning = end.replace(hour=6)
    assert morning.astimezone(datetime.UTC).date() < end.date()  # the premise
    plan = expiry_notices_plan(now=morning.astimezone(datetime.UTC))
    assert plan == [{"certificate_id": certificate.pk, "days": 0}]


def test_no_notice_once_renewed_or_revoked(learner):
    old = _ending_in(learner, 20)
    renewal = factories.make_certificate(user=learner, course_key="foundations")
    Certificate.objects.filter(pk=renewal.pk).update(
        renews=old,
        valid_from=old.expires_at,
        expires_at=old.expires_at + datetime.timedelta(days=730),
    )
    assert expiry_notices_plan() == []
    other = factories.make_user()
    revoked = _ending_in(
        other, 20, revoked_at=timezone.now(), revoked_reason="Not their work."
    )
    assert revoked.pk not in {p["certificate_id"] for p in expiry_notices_plan()}
