"""A new name on certificates, re-issue after a correction, and transcripts: the same
code, a new revision and PDF, the earlier PDF kept in history and recognised as
superseded; a transcript verifiable by its own code."""

import hashlib
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from academy.certificates.models import CertificateRevision, NameChange, Transcript
from academy.certificates.services import (
    certificate_pdf_ensure,
    certificate_reissue,
    name_change_decide,
)
from academy.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )


def _text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_a_new_name_is_approved_and_every_certificate_reissued(
    client, certificate, ready_learner, admin
):
    certificate = certificate_pdf_ensure(certificate=certificate)
    old_pdf = certificate.pdf.open("rb").read()
    client.force_login(ready_learner)
    page = client.get("/en/dashboard/name/").content.decode()
    assert ready_learner.full_name in page
    assert client.post("/en/dashboard/name/", {"requested_name": ""}).status_code == 400
    assert (
        client.post(
            "/en/dashboard/name/", {"requested_name": ready_learner.full_name}
        ).status_code
        == 400
    )
    client.post("/en/dashboard/name/", {"requested_name": "Alex Rivera-Santos"})
    change = NameChange.objects.get()
    assert (
        "is waiting for an administrator"
        in client.get("/en/dashboard/name/").content.decode()
    )
    # Only an administrator decides, always with a reason.
    client.force_login(admin)
    listing = client.get("/admin/records/name-changes/").content.decode()
    assert "Alex Rivera-Santos" in listing
    client.post(
        "/admin/records/name-changes/",
        {"change": change.pk, "decision": "approved", "reason": ""},
    )
    change.refresh_from_db()
    assert change.decision == ""
    mail.outbox.clear()
    client.post(
        "/admin/records/name-changes/",
        {"change": change.pk, "decision": "approved", "reason": "Married name."},
    )
    change.refresh_from_db()
    certificate.refresh_from_db()
    ready_learner.refresh_from_db()
    assert change.decision == "approved" and change.decided_by == admin
    assert ready_learner.full_name == "Alex Rivera-Santos"
    assert certificate.holder_name == "Alex Rivera-Santos" and certificate.revision == 2
    new_pdf = certificate.pdf.open("rb").read()
    assert "Alex Rivera-Santos" in _text(new_pdf) and new_pdf != old_pdf
    revision = CertificateRevision.objects.get()
    assert revision.holder_name != "Alex Rivera-Santos"
    assert revision.pdf_sha256 == hashlib.sha256(old_pdf).hexdigest()
    assert revision.pdf.open("rb").read() == old_pdf  # kept, not offered
    assert mail.outbox and "re-issued" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="certificate.reissue").exists()
    # Verification: the current name; the old file is recognised as superseded.
    client.logout()
    verify = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Alex Rivera-Santos" in verify and "version 2 of this certificate" in verify
    response = client.post(
        "/verify/file/",
        {"file": SimpleUploadedFile("old.pdf", old_pdf, "application/pdf")},
    )
    assert response.status_code == 302 and "superseded=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "earlier version of this certificate" in page
    # The learner downloads the new PDF only.
    client.force_login(ready_learner)
    download = client.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
    assert b"".join(download.streaming_content) == new_pdf


def test_a_declined_request_says_why_and_changes_nothing(
    client, certificate, ready_learner, admin
):
    client.force_login(ready_learner)
    client.post("/en/dashboard/name/", {"requested_name": "Someone Else"})
    change = NameChange.objects.get()
    name_change_decide(
        change=change, by=admin, approve=False, reason="Please write to us first."
    )
    certificate.refresh_from_db()
    assert certificate.revision == 1 and not CertificateRevision.objects.exists()
    page = client.get("/en/dashboard/name/").content.decode()
    assert "Please write to us first." in page
    with pytest.raises(Exception, match="decided already"):
        name_change_decide(change=change, by=admin, approve=True, reason="x")
    with pytest.raises(Exception, match="Only academy administrators"):
        name_change_decide(change=change, by=ready_learner, approve=True, reason="x")


def test_reissue_after_a_course_correction_keeps_the_version_passed(
    certificate, course_page, admin
):
    passed_version = certificate.course_version
    course_page.title_en = "Foundations test course (corrected)"
    course_page.version_label = "2099.1"
    course_page.save_revision().publish()
    certificate = certificate_reissue(
        certificate=certificate, by=admin, reason="Typo in the course title."
    )
    assert certificate.course_title == "Foundations test course (corrected)"
    assert certificate.course_version == passed_version
    assert certificate.revision == 2 and certificate.pdf_sha256


def test_the_transcript_lists_every_cycle_and_is_verifiable(
    client, certificate, ready_learner
):
    client.force_login(ready_learner)
    response = client.get("/en/dashboard/transcript.pdf")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    transcript = Transcript.objects.get()
    text = _text(pdf)
    assert transcript.code in text and certificate.code in text
    assert ready_learner.full_name in text
    # Nothing changed: the same transcript again.
    client.get("/en/dashboard/transcript.pdf")
    assert Transcript.objects.count() == 1
    client.logout()
    page = client.get(f"/verify/{transcript.code}/").content.decode()
    assert "A transcript we issued" in page and certificate.code in page
    assert client.get(f"/verify/{transcript.code}/credential.json").status_code == 404
    upload = client.post(
        "/verify/file/", {"file": SimpleUploadedFile("t.pdf", pdf, "application/pdf")}
    )
    assert upload["Location"].endswith(f"/verify/{transcript.code}/")


def test_a_transcript_in_arabic(client, certificate, ready_learner):
    ready_learner.preferred_language = "ar"
    ready_learner.save()
    client.force_login(ready_learner)
    response = client.get("/ar/dashboard/transcript.pdf")
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and Transcript.objects.get().language == "ar"
