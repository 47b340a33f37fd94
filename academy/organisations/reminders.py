"""Reminders: before a due date (7 and 1 days by default, per organisation), when
overdue, and a weekly digest for coordinators with people overdue by more than 14
days first. Planned by `send_reminders` (cron), sent by the task worker; the unique
key in ReminderSent makes each go out once, however often the command runs."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Membership, Organisation, ReminderSent
from .selectors import duties, members, today_in

DIGEST_FIRST_DAYS = 14


def reminders_plan(*, now=None) -> list[dict]:
    """What should be sent now: [{user_id, key, template, context}]."""
    now = now or timezone.now()
    planned: list[dict] = []
    for org in Organisation.objects.all():
        people = list(members(organisation=org))
        org_duties = duties(organisation=org, memberships=people)
        today = today_in(org.time_zone)
        for d in org_duties:
            if d.done or d.due_on is None:
                continue
            user = d.membership.user
            days = (d.due_on - today).days
            context = {
                "course": d.assignment.course.title,
                "due_on": d.due_on.isoformat(),
                "organisation": org.name,
                "days": days,
            }
            base = f"{d.assignment.pk}:{d.due_on.isoformat()}"
            if d.overdue:
                # Overdue mandatory training is always notified, even to people who
                # turned reminders off.
                if d.assignment.mandatory or user.reminder_emails:
                    planned.append(
                        {
                            "user_id": user.pk,
                            "key": f"overdue:{base}",
                            "template": "overdue",
                            "context": context,
                        }
                    )
            elif days in (org.reminder_days or []) and user.reminder_emails:
                planned.append(
                    {
                        "user_id": user.pk,
                        "key": f"before:{base}:{days}",
                        "template": "before",
                        "context": context,
                    }
                )
        if org.weekly_digest and today.weekday() == 0:  # Mondays
            overdue = sorted(
                (d for d in org_duties if d.overdue), key=lambda d: -d.days_overdue
            )
            if overdue:
                lines = [
                    {
                        "name": d.membership.user.full_name,
                        "course": d.assignment.course.title,
                        "days": d.days_overdue,
                        "long": d.days_overdue > DIGEST_FIRST_DAYS,
                    }
                    for d in overdue
                ]
                week = today.isocalendar()
                for coordinator in (
                    Membership.objects.coordinators()
                    .filter(organisation=org)
                    .select_related("user")
                ):
                    planned.append(
                        {
                            "user_id": coordinator.user_id,
                            "key": f"digest:{org.pk}:{week.year}-W{week.week}",
                            "template": "digest",
                            "context": {"organisation": org.name, "lines": lines},
                        }
                    )
    return planned


def reminder_deliver(*, user_id: int, key: str, template: str, context: dict) -> bool:
    """Claim the reminder (once only), then send it in the person's language."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user_id=user_id, key=key)
    except IntegrityError:
        return False  # already sent, by an earlier run or another worker
    user = get_user_model().objects.get(pk=user_id)
    with (
        translation.override(user.preferred_language),
        timezone.override(zoneinfo.ZoneInfo(user.time_zone or "UTC")),
    ):
        context = {**context, "user": user, "site": settings.ACADEMY_PUBLIC_URL}
        subject = render_to_string(f"reminders/{template}_subject.txt", context).strip()
        body = render_to_string(f"reminders/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
