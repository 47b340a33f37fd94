import datetime
import struct
import zlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from academy.organisations.models import Membership, Organisation
from academy.workplace.models import ASSESSORS_GROUP, Standard

from .. import factories

DOMAINS = [
    {
        "key": "leadership",
        "criteria": [
            {"key": "lead-policy", "required": True},
            {"key": "lead-review", "required": False},
        ],
    },
    {
        "key": "recruitment",
        "criteria": [{"key": "rec-records", "required": True}],
    },
]


def _words(lang):
    return {
        "title": f"Trauma-informed workplace [{lang}]"
        if lang != "en"
        else "Trauma-informed workplace",
        "summary": "What an employer does.",
        "intro": "<p>How certification works.</p>",
        "domains": {
            "leadership": {
                "title": "Leadership and policy",
                "summary": "",
                "criteria": {
                    "lead-policy": {
                        "title": "A written commitment",
                        "meaning": "<p>A policy.</p>",
                        "evidence": "<p>The policy.</p>",
                    },
                    "lead-review": {
                        "title": "Regular review",
                        "meaning": "<p>Once a year.</p>",
                        "evidence": "<p>The note.</p>",
                    },
                },
            },
            "recruitment": {
                "title": "Fair recruitment",
                "summary": "",
                "criteria": {
                    "rec-records": {
                        "title": "Records assessed individually",
                        "meaning": "<p>No blanket ban.</p>",
                        "evidence": "<p>The procedure.</p>",
                    }
                },
            },
        },
    }


@pytest.fixture
def standard(db):
    return Standard.objects.create(
        key="workplace",
        version="2026.1",
        validity_months=24,
        training={
            "manager_course": "employers",
            "manager_share_percent": 80,
            "supervisor_course": "foundations",
        },
        domains=DOMAINS,
        text={lang: _words(lang) for lang in ("en", "es", "fr", "ar")},
    )


@pytest.fixture
def employer(db):
    return Organisation.objects.create(
        name="Harbour Logistics",
        kind="employer",
        jurisdiction="coe_eu",
        city="Rotterdam",
        sector="logistics",
        time_zone="Europe/Amsterdam",
    )


def member(org, *, manager=False, supervisor=False, coordinator=False, **fields):
    user = factories.make_user(**fields)
    Membership.objects.create(
        user=user,
        organisation=org,
        role="coordinator" if coordinator else "learner",
        is_manager=manager,
        supervises_partnership_hire=supervisor,
        accepted_at=timezone.now(),
    )
    return user


@pytest.fixture
def hr(employer):
    """Harbour's HR lead: its coordinator and one of its managers, certified."""
    user = member(
        employer,
        manager=True,
        coordinator=True,
        email="maya@harbour.example.org",
        full_name="Maya Jansen",
    )
    factories.make_certificate(user=user, course_key="employers")
    return user


@pytest.fixture
def assessor(db):
    user = factories.make_user(email="assessor@example.org", full_name="Kwame Mensah")
    group, _ = Group.objects.get_or_create(name=ASSESSORS_GROUP)
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="review_certification"),
    )
    user.groups.add(group)
    return user


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
