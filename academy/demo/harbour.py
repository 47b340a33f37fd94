"""Harbour Logistics: a certified employer for the demo. Twelve people, five
managers who hold the Employers course certificate, two supervisors of partnership
hires who hold Foundations, a self-assessment answered criterion by criterion with
a few evidence files, reviewed by the demo assessor and approved through the same
services the site uses."""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from academy.certificates.models import OrganisationCertificate
from academy.certificates.services import certificate_pdf_ensure
from academy.courses.models import CoursePage
from academy.organisations.models import Membership, Organisation, Sector
from academy.workplace import selectors as workplace_selectors
from academy.workplace import services as workplace
from academy.workplace.models import ASSESSORS_GROUP, Certification

from .records import certificate_dated, course_taken

PEOPLE = [
    # (email, name, coordinator, manager, supervises a partnership hire)
    ("maya.jansen@harbour.example.org", "Maya Jansen", True, True, False),
    ("tom.bakker@harbour.example.org", "Tom Bakker", False, True, True),
    ("lina.haddad@harbour.example.org", "Lina Haddad", False, True, False),
    ("pieter.smit@harbour.example.org", "Pieter Smit", False, True, False),
    ("amara.okoye@harbour.example.org", "Amara Okoye", False, True, False),
    ("joao.silva@harbour.example.org", "João Silva", False, False, True),
    ("eva.visser@harbour.example.org", "Eva Visser", False, False, False),
    ("sam.de.vries@harbour.example.org", "Sam de Vries", False, False, False),
    ("nadia.karimi@harbour.example.org", "Nadia Karimi", False, False, False),
    ("ruben.mulder@harbour.example.org", "Ruben Mulder", False, False, False),
    ("ines.costa@harbour.example.org", "Inês Costa", False, False, False),
    ("olek.nowak@harbour.example.org", "Olek Nowak", False, False, False),
]
STATEMENTS = {
    "met": (
        "Our written procedure covers this; the evidence shows the current version, "
        "its approval date and where staff find it. Reviewed at our annual review."
    ),
}


@dataclass
class HarbourResult:
    organisation: Organisation
    certificate: OrganisationCertificate | None
    note: str


def _policy_pdf(title: str) -> bytes:
    """A one-page document standing in for a real policy (the demo's evidence)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 770, "Harbour Logistics")
    c.setFont("Helvetica", 12)
    c.drawString(72, 745, title)
    c.drawString(72, 720, "Approved by the managing director, 3 March 2026.")
    c.drawString(72, 700, "Demo document: no person is named in it.")
    c.showPage()
    c.save()
    return buffer.getvalue()


def assessor_ensure(email: str) -> None:
    user = get_user_model().objects.get(email=email)
    group, _ = Group.objects.get_or_create(name=ASSESSORS_GROUP)
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="review_certification"),
    )
    user.groups.add(group)


def harbour_seed(*, password: str, assessor_email: str) -> HarbourResult:
    User = get_user_model()
    org, _ = Organisation.objects.get_or_create(
        name="Harbour Logistics",
        defaults={
            "kind": Organisation.Kind.EMPLOYER,
            "jurisdiction": "coe_eu",
            "time_zone": "Europe/Amsterdam",
            "city": "Rotterdam",
            "sector": Sector.LOGISTICS,
        },
    )
    done = workplace_selectors.certification_approved_latest(organisation=org)
    if done is not None:
        return HarbourResult(org, done.certificate, "exists")
    standard = workplace_selectors.standard_current()
    courses = {
        c.content_key: c
        for c in CoursePage.objects.live().filter(
            content_key__in=["foundations", "employers"]
        )
    }
    members = []
    for email, name, coordinator, manager, supervisor in PEOPLE:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=name,
                time_zone="Europe/Amsterdam",
                jurisdiction="coe_eu",
                work_role="employer",
                email_verified_at=timezone.now(),
            )
        membership, _ = Membership.objects.get_or_create(
            user=user,
            organisation=org,
            defaults={
                "role": Membership.Role.COORDINATOR
                if coordinator
                else Membership.Role.LEARNER,
                "accepted_at": timezone.now(),
                "is_manager": manager,
                "supervises_partnership_hire": supervisor,
            },
        )
        members.append(membership)
    if standard is None or len(courses) < 2:
        return HarbourResult(
            org, None, "run load_content first: no certificate without the courses"
        )
    rng = random.Random(20261205)
    now = timezone.now()
    for n, m in enumerate(members):
        if not (m.is_manager or m.supervises_partnership_hire):
            continue
        when = now - datetime.timedelta(days=120 - 9 * n)
        for key in ("foundations", "employers") if m.is_manager else ("foundations",):
            enrollment = course_taken(
                user=m.user, course=courses[key], at=when, rng=rng
            )
            certificate = certificate_dated(enrollment=enrollment, at=when)
            if certificate is not None:
                certificate_pdf_ensure(certificate=certificate)
            when += datetime.timedelta(days=14)
    lead = members[0].user
    assessor = User.objects.get(email=assessor_email)
    certification = workplace.certification_start(
        organisation=org, by=lead, standard=standard
    )
    for n, key in enumerate(standard.criterion_keys):
        workplace.criterion_answer_save(
            certification=certification,
            criterion_key=key,
            answer="met",
            statement=STATEMENTS["met"],
            by=lead,
        )
        if n < 3:
            workplace.evidence_add(
                certification=certification,
                criterion_key=key,
                name=f"{key}-policy.pdf",
                data=_policy_pdf(f"Policy: {key}"),
                by=lead,
            )
    workplace.certification_submit(certification=certification, by=lead)
    for key in standard.criterion_keys:
        workplace.criterion_review_record(
            certification=certification,
            criterion_key=key,
            decision="accepted",
            comment="",
            reviewer=assessor,
        )
    workplace.certification_approve(certification=certification, reviewer=assessor)
    workplace.register_consent_set(organisation=org, listed=True, by=lead)
    certification = Certification.objects.select_related("certificate").get(
        pk=certification.pk
    )
    return HarbourResult(org, certification.certificate, "created")
