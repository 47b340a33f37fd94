"""Riverside Police Department and Lakeside Border Agency as an agency would see
them after a few years: people in cohorts, courses assigned with due dates, and
every state a coordinator meets (not started, in progress, overdue, passed, failed
once, exempt, expiring within 90 days, expired, renewed over past cycles), with
certificates and their PDFs and a week of audit history. Built from a fixed seed,
so every run gives the same agency; idempotent."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from academy.assessments.models import AssessmentPage
from academy.certificates.models import Certificate
from academy.certificates.services import certificate_pdf_ensure
from academy.core.models import AuditEvent, User
from academy.courses.models import CoursePage
from academy.organisations.models import (
    Assignment,
    Cohort,
    Exemption,
    Membership,
    Organisation,
)

from .records import attempt_recorded, certificate_dated, course_taken

FIRST = [
    "Aisha",
    "Ben",
    "Carmen",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Imani",
    "Jonas",
    "Keiko",
    "Luis",
    "Mara",
    "Nikhil",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Samir",
    "Tanya",
    "Umar",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Adele",
    "Bruno",
    "Chidi",
    "Dana",
    "Emeka",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Joy",
]
LAST = [
    "Abara",
    "Brennan",
    "Castillo",
    "Dvorak",
    "Ekwueme",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nguyen",
    "Okonkwo",
    "Petrov",
    "Quintero",
    "Rahman",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zhou",
]

# What happened to each person, and how often (in a cycle of profiles).
PROFILES = [
    "certified",
    "certified",
    "certified",
    "certified",
    "in_progress",
    "not_started",
    "expiring",
    "certified",
    "failed_then_passed",
    "overdue",
    "certified",
    "expired",
    "in_progress",
    "failed_once",
    "certified",
    "cycles",
    "certified",
    "exempt",
    "expiring",
    "certified",
]


@dataclass
class AgencyResult:
    organisation: Organisation
    people: int
    note: str


def _people(org, cohorts, count, domain, rng, password_hash):
    names = set()
    made = []
    while len(made) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if (first, last) in names:
            continue
        names.add((first, last))
        email = f"{first}.{last}@{domain}".lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                full_name=f"{first} {last}",
                password=password_hash,
                time_zone=org.time_zone,
                jurisdiction=org.jurisdiction,
                work_role=org.kind if org.kind != "other" else "other",
                email_verified_at=timezone.now(),
            )
            user.save()
        joined = timezone.now() - datetime.timedelta(days=rng.randint(20, 1600))
        cohort = cohorts[len(made) % len(cohorts)]
        membership, _ = Membership.objects.get_or_create(
            user=user,
            organisation=org,
            defaults={"cohort": cohort, "joined_at": joined, "accepted_at": joined},
        )
        made.append(membership)
    return made


def _take(membership, course, profile, rng, now):
    """Record one person's history in one course, as its profile says."""
    user = membership.user
    joined = membership.joined_at
    if profile == "not_started" or profile == "overdue" and rng.random() < 0.5:
        return
    if profile in ("in_progress", "overdue"):
        course_taken(
            user=user,
            course=course,
            at=joined + datetime.timedelta(days=10),
            modules_done=rng.randint(1, 3),
            rng=rng,
        )
        return
    if profile == "exempt":
        Exemption.objects.get_or_create(
            organisation=membership.organisation,
            user=user,
            course=course,
            defaults={
                "kind": Exemption.Kind.PRIOR_LEARNING,
                "reason": "Completed the national victim-identification course (2025).",
            },
        )
        return
    months = course.validity_months or 24
    if profile == "expiring":
        when = now - datetime.timedelta(days=months * 30.4 - rng.randint(20, 80))
    elif profile == "expired":
        when = now - datetime.timedelta(days=months * 30.4 + rng.randint(20, 200))
    else:
        when = now - datetime.timedelta(days=rng.randint(30, 400))
    if profile == "failed_once":
        course_taken(user=user, course=course, at=when, passed=False, rng=rng)
        return
    if profile == "cycles":  # two past cycles, each renewed on time, and this one
        cycle_when = when - datetime.timedelta(days=2 * months * 30.4)
        for cycle in (1, 2):
            enrollment = course_taken(
                user=user, course=course, at=cycle_when, cycle=cycle, rng=rng
            )
            _certify(enrollment, cycle_when)
            cycle_when += datetime.timedelta(days=months * 30.4 - 30)
        enrollment = course_taken(user=user, course=course, at=when, cycle=3, rng=rng)
        _certify(enrollment, when)
        return
    if profile == "failed_then_passed":  # failed a week earlier, then passed
        enrollment = course_taken(
            user=user,
            course=course,
            at=when - datetime.timedelta(days=7),
            passed=False,
            rng=rng,
        )
        attempt_recorded(
            enrollment=enrollment,
            assessment=AssessmentPage.objects.child_of(course).live().get(),
            at=when,
            passed=True,
            rng=rng,
        )
    else:
        enrollment = course_taken(user=user, course=course, at=when, rng=rng)
    _certify(enrollment, when)


def _certify(enrollment, when):
    certificate = certificate_dated(enrollment=enrollment, at=when)
    if certificate is None:
        return None
    previous = (
        Certificate.objects.filter(user=enrollment.user, course=enrollment.course)
        .exclude(pk=certificate.pk)
        .order_by("-valid_from")
        .first()
    )
    if previous is not None:
        Certificate.objects.filter(pk=certificate.pk).update(renews=previous)
    AuditEvent.objects.filter(
        action="certificate.issue", target_id=str(certificate.pk)
    ).update(occurred_at=when)  # demo history: dated when it happened
    return certificate_pdf_ensure(certificate=certificate)


def agency_seed(
    *,
    name: str,
    kind: str,
    jurisdiction: str,
    time_zone: str,
    cohort_names: list[str],
    course_keys: list[str],
    people: int,
    domain: str,
    coordinator: User | None,
    seed: int,
    password: str,
) -> AgencyResult:
    org, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "jurisdiction": jurisdiction, "time_zone": time_zone},
    )
    if Membership.objects.filter(organisation=org).count() >= people:
        return AgencyResult(org, people, "exists")
    rng = random.Random(seed)
    now = timezone.now()
    cohorts = [
        Cohort.objects.get_or_create(organisation=org, name=n)[0] for n in cohort_names
    ]
    if coordinator is not None:
        Membership.objects.get_or_create(
            user=coordinator,
            organisation=org,
            defaults={"role": Membership.Role.COORDINATOR, "accepted_at": now},
        )
    courses = {
        c.content_key: c
        for c in CoursePage.objects.live().filter(content_key__in=course_keys)
    }
    password_hash = make_password(password)  # once: every demo person shares it
    members = _people(org, cohorts, people, domain, rng, password_hash)
    if len(courses) < len(course_keys):
        return AgencyResult(org, people, "run load_content first: no records yet")
    foundations = courses[course_keys[0]]
    role_course = courses[course_keys[1]] if len(course_keys) > 1 else None
    for cohort in cohorts:
        assignment, _ = Assignment.objects.get_or_create(
            organisation=org,
            course=foundations,
            cohort=cohort,
            defaults={"due_days_after_joining": 30, "assigned_by": coordinator},
        )
        # Assigned fourteen months ago, when the agency adopted the course.
        Assignment.objects.filter(pk=assignment.pk).update(
            created_at=now - datetime.timedelta(days=425)
        )
    if role_course is not None:
        for n, cohort in enumerate(cohorts[:2]):
            Assignment.objects.get_or_create(
                organisation=org,
                course=role_course,
                cohort=cohort,
                defaults={
                    # One cohort's deadline has passed, the other's is ahead.
                    "due_on": (now + datetime.timedelta(days=-20 if n else 45)).date(),
                    "assigned_by": coordinator,
                },
            )
    for n, membership in enumerate(members):
        profile = PROFILES[n % len(PROFILES)]
        _take(membership, foundations, profile, rng, now)
        if role_course is not None and membership.cohort in cohorts[:2]:
            if foundations_held(membership.user, foundations):
                role_profile = rng.choice(
                    ["certified", "in_progress", "not_started", "certified"]
                )
                _take(membership, role_course, role_profile, rng, now)
    # A week of the coordinator's own history.
    for day in range(7):
        AuditEvent.objects.create(
            actor=coordinator,
            action=rng.choice(
                ["member.add", "assignment.create", "due.extend", "export.csv"]
            ),
            organisation=org,
            occurred_at=now - datetime.timedelta(days=day, hours=rng.randint(1, 9)),
            details={"demo": True},
        )
    return AgencyResult(org, people, "created")


def foundations_held(user, course) -> bool:
    return Certificate.objects.filter(user=user, course=course).valid().exists()
