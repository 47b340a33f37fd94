"""Issuing many certificates at once, and rendering their PDFs after the grant:
never while the enrolment and the attempt are locked, one PDF however many ask."""

import csv
import io
import math
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate, CredentialSlot
from academy.certificates.services import (
    certificate_issue,
    certificate_pdf_ensure,
    certificates_issue_bulk,
)
from academy.core.models import AuditEvent
from academy.courses.models import Enrollment, ModuleProgress
from academy.learning.services import certificate_earn
from tests.factories import make_earned_enrollments
from tests.utils import at_once, count_queries

from .test_issue import ON_POSTGRESQL

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "rules": {"scenario_pass_percent": 75, "knowledge_pass_percent": 80},
    "questions": [{"key": "q1"}, {"key": "q2"}, {"key": "q3"}],
    "scenarios": [{"key": "corridor"}],
}


@pytest.fixture
def earned(course_page, modules, assessment):
    def make(n: int) -> list[Enrollment]:
        return make_earned_enrollments(
            course=course_page, assessment=assessment, n=n, snapshot=SNAPSHOT
        )

    return make


def _pdfs(code: str) -> list[Path]:
    """The files stored for this certificate's PDF."""
    folder = Path(settings.ACADEMY_PRIVATE_FILES_DIR) / "certificates"
    return sorted(folder.glob(f"{code}*.pdf"))


# ---------------------------------------------------------------------------
# The PDF comes after the grant's commit.


def test_the_pdf_waits_for_the_commit_of_the_grant(
    ready_learner, assessment, django_capture_on_commit_callbacks
):
    enrollment = Enrollment.objects.get(user=ready_learner)
    Attempt.objects.create(
        user=ready_learner,
        assessment=assessment,
        enrollment=enrollment,
        number=1,
        started_at=enrollment.started_at,
        declared_own_work_at=enrollment.started_at,
        submitted_at=enrollment.started_at,
        snapshot=SNAPSHOT,
        passed=True,
    )
    with django_capture_on_commit_callbacks() as waiting:
        with transaction.atomic():
            # The caller holds the enrolment and the attempt, as grading does.
            Enrollment.objects.select_for_update().get(pk=enrollment.pk)
            Attempt.objects.select_for_update().get(enrollment=enrollment)
            certificate = certificate_earn(enrollment=enrollment)
            certificate.refresh_from_db()
            assert certificate.code and not certificate.pdf_sha256
            assert _pdfs(certificate.code) == []  # granted, not rendered
    assert len(waiting) == 1 and _pdfs(certificate.code) == []
    waiting[0]()  # the commit
    certificate.refresh_from_db()
    assert [p.name for p in _pdfs(certificate.code)] == [f"{certificate.code}.pdf"]
    assert certificate.pdf.read().startswith(b"%PDF")


def test_the_download_renders_a_pdf_not_rendered_yet(client, ready_learner, earned):
    (enrollment,) = earned(1)
    certificate = certificate_issue(enrollment=enrollment)
    assert not certificate.pdf_sha256 and _pdfs(certificate.code) == []
    client.force_login(enrollment.user)
    response = client.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    certificate.refresh_from_db()
    assert body.startswith(b"%PDF") and body == certificate.pdf.read()
    again = client.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
    assert b"".join(again.streaming_content) == body
    assert len(_pdfs(certificate.code)) == 1


def test_a_late_second_rendering_leaves_one_pdf(earned):
    """Two renderings of the same certificate, the second started before the first
    was recorded (two downloads, or a download and the worker): one PDF stays."""
    (enrollment,) = earned(1)
    certificate = certificate_issue(enrollment=enrollment)
    stale = Certificate.objects.get(pk=certificate.pk)  # read before either renders
    first = certificate_pdf_ensure(certificate=certificate)
    second = certificate_pdf_ensure(certificate=stale)
    assert second.pdf.name == first.pdf.name and second.pdf_sha256 == first.pdf_sha256
    assert [p.name for p in _pdfs(certificate.code)] == [f"{certificate.code}.pdf"]


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_downloads_at_once_make_one_pdf(earned):
    (enrollment,) = earned(1)
    certificate = certificate_issue(enrollment=enrollment)

    def download() -> bytes:
        browser = Client()
        browser.force_login(enrollment.user)
        response = browser.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
        return b"".join(response.streaming_content)

    bodies = at_once(download)
    certificate.refresh_from_db()
    assert bodies[0] == bodies[1] == certificate.pdf.read()
    assert len(_pdfs(certificate.code)) == 1


# ---------------------------------------------------------------------------
# Bulk issuance.


def _insert_statements(n: int) -> int:
    """Statements that insert n certificates: one, except on SQLite, which takes at
    most 999 parameters a statement (41 certificates)."""
    fields = [f for f in Certificate._meta.concrete_fields if not f.primary_key]
    return math.ceil(n / connection.ops.bulk_batch_size(fields, [None] * n))


def test_bulk_issuance_takes_the_same_queries_for_10_and_for_50(earned):
    ten, fifty = earned(10), earned(50)
    with count_queries() as for_ten:
        assert len(certificates_issue_bulk(enrollment_ids=[e.pk for e in ten]).issued)
    with count_queries() as for_fifty:
        result = certificates_issue_bulk(enrollment_ids=[e.pk for e in fifty])
    assert len(result.issued) == 50
    assert len(for_fifty) - _insert_statements(50) == len(for_ten) - 1
    assert _insert_statements(10) == 1


def test_every_certificate_issued_in_bulk_is_verifiable(client, settings, earned):
    settings.ACADEMY_VERIFY_RATE_LIMIT = 1000
    enrollments = earned(50)
    result = certificates_issue_bulk(enrollment_ids=[e.pk for e in enrollments])
    codes = [c.code for c in result.issued]
    assert len(set(codes)) == 50
    assert len({c.status_index for c in result.issued}) == 50
    assert CredentialSlot.objects.filter(code__in=codes).count() == 50
    upload = SimpleUploadedFile("codes.csv", "\n".join(codes).encode())
    response = client.post("/verify/bulk/", {"file": upload})
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    holders = {e.user.full_name for e in enrollments}
    assert [row[0] for row in rows] == codes
    assert {row[1] for row in rows} == {"valid"}
    assert {row[2] for row in rows} == holders
    one = result.issued[0]
    page = client.get(f"/verify/{one.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and one.holder_name in page.content.decode()
    # What each certificate attests, read from its attempt's snapshot.
    assert one.requirements["questions"] == 3 and one.requirements["scenarios"] == 1
    assert one.requirements["scenario_pass_percent"] == 75
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 50


def test_nobody_is_issued_twice(earned, ready_learner):
    enrollments = earned(20)
    ids = [e.pk for e in enrollments]
    unfinished = Enrollment.objects.get(user=ready_learner)  # no passed attempt
    first = certificates_issue_bulk(enrollment_ids=ids[:10] + [unfinished.pk])
    assert first.not_earned == [unfinished.pk]
    again = certificates_issue_bulk(enrollment_ids=ids + ids[:5] + [unfinished.pk])
    assert len(first.issued) == 10 and len(again.issued) == 10
    assert certificate_issue(enrollment=enrollments[0]) == first.issued[0]
    assert Certificate.objects.count() == 20
    assert sorted(Certificate.objects.values_list("enrollment_id", flat=True)) == ids
    assert sorted(again.certificates) == ids


def test_a_cycle_not_finished_gets_no_certificate(earned, modules):
    finished, unfinished = earned(2)
    ModuleProgress.objects.filter(enrollment=unfinished, module=modules[-1]).update(
        completed_at=None
    )
    result = certificates_issue_bulk(enrollment_ids=[finished.pk, unfinished.pk])
    assert [c.enrollment_id for c in result.issued] == [finished.pk]
    assert result.not_earned == [unfinished.pk]


def test_a_second_cycle_in_the_same_batch_renews_the_first(earned, assessment):
    (first,) = earned(1)
    second = Enrollment.objects.create(
        user=first.user, course=first.course, cycle=2, started_at=first.started_at
    )
    for progress in first.module_progress.all():
        progress.pk, progress.enrollment = None, second
        progress.save()
    attempt = Attempt.objects.get(enrollment=first)
    attempt.pk, attempt.enrollment, attempt.number = None, second, 2
    attempt._state.adding, attempt._submitted_when_loaded = True, False
    attempt.save()
    result = certificates_issue_bulk(enrollment_ids=[second.pk, first.pk])
    old, new = result.certificates[first.pk], result.certificates[second.pk]
    assert (old.cycle, new.cycle) == (1, 2) and new.renews == old
    assert new.valid_from == old.expires_at  # earned early: valid when the old ends


def test_the_backfill_command_issues_and_then_renders(
    earned, django_capture_on_commit_callbacks
):
    enrollments = earned(12)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_certificates", batch=5, stdout=io.StringIO())
    certificates = Certificate.objects.filter(enrollment__in=enrollments)
    assert certificates.count() == 12
    for certificate in certificates:
        assert certificate.pdf.read().startswith(b"%PDF")
        assert len(_pdfs(certificate.code)) == 1
