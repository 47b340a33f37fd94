"""Records for audits and people who move (issue 15): certificates as a ZIP
(streamed, or prepared by the task worker beyond 500, never over 5,000), extra time
granted by a coordinator, and a person who changes agency keeping their
certificates, shown to the new one only once they accept."""

import io
import zipfile

import pytest
from django.utils import timezone

from academy.assessments.models import Accommodation
from academy.certificates.services import certificate_pdf_ensure
from academy.core.models import AuditEvent
from academy.organisations import services
from academy.organisations.models import (
    Assignment,
    ExportJob,
    Membership,
    Organisation,
)

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(officer, assigned):
    return certificate_pdf_ensure(
        certificate=factories.make_certificate(
            user=officer, course_key=assigned.course.content_key
        )
    )


def test_the_certificates_of_the_people_shown_come_as_a_zip(
    client, coordinator, officer, certified
):
    client.force_login(coordinator)
    response = client.get("/en/coordinate/export/certificates.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (name,) = archive.namelist()
    assert certified.code in name and name.endswith(".pdf")
    assert archive.read(name) == certified.pdf.open("rb").read()
    assert AuditEvent.objects.filter(action="export.certificates").exists()
    # Filtered to nobody: nothing to download, said plainly.
    response = client.get("/en/coordinate/export/certificates.zip?status=overdue")
    assert response.status_code == 302


def test_beyond_the_streaming_limit_the_worker_prepares_it(
    client,
    coordinator,
    officer,
    certified,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(services, "ZIP_STREAM_MAX", 0)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/en/coordinate/export/certificates.zip")
    job = ExportJob.objects.get()
    assert response["Location"].endswith(f"/coordinate/exports/{job.pk}/")
    assert job.status == "done" and job.count == 1
    page = client.get(response["Location"]).content.decode()
    assert "Download the ZIP" in page
    download = client.get(f"/en/coordinate/exports/{job.pk}/certificates.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 1
    monkeypatch.setattr(services, "ZIP_MAX", 0)
    assert client.get("/en/coordinate/export/certificates.zip").status_code == 400


def test_another_organisations_coordinator_cannot_reach_an_export(
    client, coordinator, other_org_coordinator, officer, certified, monkeypatch
):
    monkeypatch.setattr(services, "ZIP_STREAM_MAX", 0)
    client.force_login(coordinator)
    client.get("/en/coordinate/export/certificates.zip")
    job = ExportJob.objects.get()
    client.force_login(other_org_coordinator)
    assert client.get(f"/en/coordinate/exports/{job.pk}/").status_code == 404
    assert (
        client.get(f"/en/coordinate/exports/{job.pk}/certificates.zip").status_code
        == 404
    )


def test_a_coordinator_grants_extra_time_on_a_timed_assessment(
    client, coordinator, officer, assigned, other_org_coordinator
):
    from academy.assessments.models import AssessmentPage

    assessment = factories.make_assessment(course=assigned.course)
    AssessmentPage.objects.filter(pk=assessment.pk).update(time_limit_minutes=40)
    client.force_login(coordinator)
    page = client.get(f"/en/coordinate/people/{officer.pk}/").content.decode()
    assert "Extra time on a timed assessment" in page
    response = client.post(
        f"/en/coordinate/people/{officer.pk}/extra-time/",
        {"assessment": assessment.pk, "extra_time_percent": 50, "reason": "Dyslexia"},
    )
    assert response.status_code == 302
    grant = Accommodation.objects.get(user=officer)
    assert grant.extra_time_percent == 50
    assert AuditEvent.objects.filter(action="member.accommodation").exists()
    for bad in ({"extra_time_percent": 400}, {"extra_time_percent": 0}):
        client.post(
            f"/en/coordinate/people/{officer.pk}/extra-time/",
            {"assessment": assessment.pk, **bad},
        )
    grant.refresh_from_db()
    assert grant.extra_time_percent == 50
    # Not for someone outside the organisation.
    client.force_login(other_org_coordinator)
    response = client.post(
        f"/en/coordinate/people/{officer.pk}/extra-time/",
        {"assessment": assessment.pk, "extra_time_percent": 10},
    )
    assert response.status_code == 404


def test_moving_agency_keeps_the_certificates_and_asks_first(
    client, coordinator, officer, org, assigned, certified
):
    lakeside = Organisation.objects.create(
        name="Lakeside Border Agency", kind="border", jurisdiction="coe_eu"
    )
    their_coordinator = factories.make_user(email="coord@lakeside.example.org")
    Membership.objects.create(
        user=their_coordinator,
        organisation=lakeside,
        role="coordinator",
        accepted_at=timezone.now(),
    )
    Assignment.objects.create(
        organisation=lakeside,
        course=assigned.course,
        user=officer,
        due_days_after_joining=30,
        assigned_by=their_coordinator,
    )
    # The officer leaves Riverside: their certificate stays theirs.
    services.membership_remove(
        membership=Membership.objects.get(user=officer, organisation=org),
        by=coordinator,
    )
    certified.refresh_from_db()
    assert certified.revoked_at is None
    # Lakeside adds them: pending, nothing shown.
    client.force_login(their_coordinator)
    client.post(
        "/en/coordinate/people/add/",
        {"email": officer.email, "full_name": "Whoever", "role": "learner"},
    )
    page = client.get(f"/en/coordinate/people/{officer.pk}/").content.decode()
    assert "Waiting for their answer" in page
    assert '<span class="status certified">' not in page
    membership = Membership.objects.get(user=officer, organisation=lakeside)
    client.force_login(officer)
    client.post(f"/en/dashboard/memberships/{membership.pk}/", {"answer": "accept"})
    client.force_login(their_coordinator)
    dashboard = client.get("/en/coordinate/").content.decode()
    assert officer.full_name in dashboard and ">Certified<" in dashboard


def test_learners_reach_neither_the_zip_nor_extra_time(client, officer, certified):
    client.force_login(officer)
    assert client.get("/en/coordinate/export/certificates.zip").status_code == 403
    response = client.post(
        f"/en/coordinate/people/{officer.pk}/extra-time/",
        {"assessment": 1, "extra_time_percent": 10},
    )
    assert response.status_code == 403
    assert client.get("/en/coordinate/exports/1/").status_code == 403
