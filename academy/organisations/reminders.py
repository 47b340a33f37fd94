"""Reminders: before a due date (7 and 1 days by default, per organisation), when
overdue, and a weekly digest for coordinators with people overdue by more than 14
days first. Planned by `send_reminders` (cron), sent by the task worker; the unique
key in ReminderSent makes each go out once, however often the command runs."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Assignment, Membership, Organisation, ReminderSent
from .selectors import duties, members, today_in

DIGEST_FIRST_DAYS = 14


def reminders_plan(*, now=None) -> list[dict]:
    """What should be sent now: [{user_id, key, template}].

    Only ids and a key: the task queue stores its arguments, so nothing in them
    names a person or a course (the text is built when the email is sent, in the
    recipient's language)."""
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
                        }
                    )
            elif days in (org.reminder_days or []) and user.reminder_emails:
                planned.append(
                    {
                        "user_id": user.pk,
                        "key": f"before:{base}:{days}",
                        "template": "before",
                    }
                )
        if (
            org.weekly_digest
            and today.weekday() == 0
            and any(d.overdue for d in org_duties)
        ):
            week = today.isocalendar()
            for coordinator in Membership.objects.coordinators().filter(
                organisation=org
            ):
                planned.append(
                    {
                        "user_id": coordinator.user_id,
                        "key": f"digest:{org.pk}:{week.year}-W{week.week}",
                        "template": "digest",
                    }
                )
    # Already sent (an earlier run today): not queued again.
    sent = set(
        ReminderSent.objects.filter(key__in={p["key"] for p in planned}).values_list(
            "user_id", "key"
        )
    )
    return [p for p in planned if (p["user_id"], p["key"]) not in sent]


def digest_lines(*, organisation: Organisation) -> list[dict]:
    """The people overdue in an organisation, longest overdue first."""
    people = list(members(organisation=organisation))
    overdue = sorted(
        (d for d in duties(organisation=organisation, memberships=people) if d.overdue),
        key=lambda d: -d.days_overdue,
    )
    return [
        {
            "name": d.membership.user.full_name,
            "course": d.assignment.course.title,
            "days": d.days_overdue,
            "long": d.days_overdue > DIGEST_FIRST_DAYS,
        }
        for d in overdue
    ]


def digest_expiring(*, organisation: Organisation) -> list[dict]:
    """The certificates of the organisation's assigned courses ending within 90
    days, soonest first (for the Monday digest)."""
    people = list(members(organisation=organisation))
    soon = sorted(
        (
            d
            for d in duties(organisation=organisation, memberships=people)
            if d.expiring
        ),
        key=lambda d: d.expires_on or datetime.date.max,
    )
    return [
        {
            "name": d.membership.user.full_name,
            "course": d.assignment.course.title,
            "expires_on": d.expires_on,
        }
        for d in soon
    ]


def reminder_context(*, key: str) -> dict | None:
    """The text of a planned reminder, read now from its key (None when what it
    was about no longer exists). Call it inside the recipient's language."""
    kind, _, rest = key.partition(":")
    if kind == "digest":
        org = Organisation.objects.filter(pk=int(rest.split(":")[0])).first()
        if org is None:
            return None
        lines = digest_lines(organisation=org)
        expiring = digest_expiring(organisation=org)
        if not lines and not expiring:
            return None
        return {"organisation": org.name, "lines": lines, "expiring": expiring}
    assignment_id, due_on = rest.split(":")[:2]
    assignment = (
        Assignment.objects.filter(pk=int(assignment_id))
        .select_related("course", "organisation")
        .first()
    )
    if assignment is None:
        return None
    due = datetime.date.fromisoformat(due_on)
    org = assignment.organisation
    return {
        "course": assignment.course.title,
        "due_on": due.isoformat(),
        "organisation": org.name,
        "days": (due - today_in(org.time_zone)).days,
    }


def reminder_deliver(*, user_id: int, key: str, template: str) -> bool:
    """Claim the reminder (once only), then write and send it in the person's
    language."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    with (
        translation.override(user.preferred_language),
        timezone.override(zoneinfo.ZoneInfo(user.time_zone or "UTC")),
    ):
        context = reminder_context(key=key)
        if context is None:
            return False  # the assignment or the overdue list has gone meanwhile
        context |= {"user": user, "site": settings.ACADEMY_PUBLIC_URL}
        subject = render_to_string(f"reminders/{template}_subject.txt", context).strip()
        body = render_to_string(f"reminders/{template}_body.txt", context)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user_id=user_id, key=key)
    except IntegrityError:
        return False  # already sent, by an earlier run or another worker
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
