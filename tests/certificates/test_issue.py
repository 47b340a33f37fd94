"""Issuing: exactly one certificate per enrolment cycle, keeping what was true."""

import hashlib
import os

import pytest

from academy.certificates.models import Certificate
from academy.certificates.services import add_months, certificate_issue
from academy.core.models import AuditEvent
from academy.courses.models import Enrollment
from academy.progress.selectors import CourseState, course_status_for_user

from ..utils import at_once
from .conftest import pass_assessment

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="Row locks need PostgreSQL: CI runs this test there (DATABASE_URL).",
)


def test_passing_the_course_issues_one_certificate(taker, ready_learner, course_page):
    pass_assessment(taker)
    certificate = Certificate.objects.get()
    assert certificate.user == ready_learner
    assert certificate.holder_name == "Alex Rivera"
    assert certificate.course_title == "Foundations test course"
    assert certificate.cycle == 1 and certificate.status == "valid"
    assert certificate.expires_at == add_months(certificate.issued_at, 24)
    stored = certificate.pdf.read()
    assert (
        stored.startswith(b"%PDF")
        and hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    )
    event = AuditEvent.objects.get(action="certificate.issue")
    assert event.actor == ready_learner and event.details["code"] == certificate.code
    status = course_status_for_user(user=ready_learner, course=course_page)
    assert status.state == CourseState.CERTIFIED and status.certificate == certificate


def test_issuing_again_returns_the_same_certificate(certificate):
    again = certificate_issue(enrollment=certificate.enrollment)
    assert again == certificate and Certificate.objects.count() == 1


def test_nothing_is_issued_before_it_is_earned(ready_learner, course_page, assessment):
    enrollment = Enrollment.objects.get(user=ready_learner)
    assert certificate_issue(enrollment=enrollment) is None
    assert not Certificate.objects.exists()


def test_passing_first_then_finishing_the_modules_issues_it_then(
    client, learner, course_page, modules, assessment
):
    from ..assessments.conftest import Taker

    assessment.requires_modules = False
    assessment.save_revision().publish()
    client.force_login(learner)
    client.post(f"/en/courses/{course_page.slug}/enrol/")
    pass_assessment(Taker(client, assessment))
    assert not Certificate.objects.exists()  # the modules are not done yet
    for module in modules:
        client.get(f"/en/courses/{course_page.slug}/{module.slug}/")
        client.post(f"/en/courses/{course_page.slug}/{module.slug}/complete/")
    assert Certificate.objects.count() == 1


def test_the_certificate_survives_the_course_being_edited(certificate, course_page):
    version = certificate.course_version
    course_page.title_en = "A new name for the course"
    course_page.version_label = "2027.1"
    course_page.save_revision().publish()
    certificate.refresh_from_db()
    assert certificate.course_title == "Foundations test course"
    assert certificate.course_version == version != "2027.1"


def test_expiry_and_expiring_are_computed_when_read(
    certificate, ready_learner, course_page
):
    from datetime import timedelta

    from django.utils import timezone

    Certificate.objects.update(expires_at=timezone.now() + timedelta(days=30))
    status = course_status_for_user(user=ready_learner, course=course_page)
    assert status.state == CourseState.EXPIRING
    Certificate.objects.update(
        issued_at=timezone.now() - timedelta(days=800),
        valid_from=timezone.now() - timedelta(days=800),
        expires_at=timezone.now() - timedelta(days=1),
    )
    certificate.refresh_from_db()
    assert certificate.status == "expired"
    assert (
        course_status_for_user(user=ready_learner, course=course_page).state
        == CourseState.EXPIRED
    )


def test_backfill_task_issues_missing_certificates(certificate):
    from academy.certificates.tasks import certificates_backfill

    Certificate.objects.all().delete()
    result = certificates_backfill.enqueue([certificate.enrollment_id])
    assert result.return_value == {"issued": 1, "rendered": 1, "checked": 1}
    assert Certificate.objects.count() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_issues_give_one_certificate(certificate):
    enrollment = certificate.enrollment
    Certificate.objects.all().delete()
    results = at_once(lambda: certificate_issue(enrollment=enrollment).code)
    assert Certificate.objects.count() == 1
    assert results[0] == results[1] == Certificate.objects.get().code


def test_the_issue_is_audited_with_the_client_address(
    client, ready_learner, assessment
):
    from ..assessments.conftest import Taker

    client.force_login(ready_learner)
    taker = Taker(client, assessment)
    taker.client.defaults["REMOTE_ADDR"] = "192.0.2.44"
    pass_assessment(taker)
    assert (
        AuditEvent.objects.get(action="certificate.issue").client_address
        == "192.0.2.44"
    )


def test_the_backfill_command_queues_missing_certificates(certificate, capsys):
    from django.core.management import call_command

    Certificate.objects.all().delete()
    call_command("issue_certificates")
    assert "Queued 1 enrolment(s) in 1 task(s)." in capsys.readouterr().out
    assert Certificate.objects.count() == 1  # the test backend runs tasks at once
