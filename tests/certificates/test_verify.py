"""A stranger checks a certificate: by code (also mistyped), by PDF, in bulk; no
account, no more than the certificate states, and no way to list or guess."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from academy.certificates.services import certificate_revoke
from academy.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_a_valid_certificate_by_its_address(client, certificate):
    response = client.get(f"/verify/{certificate.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert ">\n    Valid\n" in html or ">Valid<" in html.replace("\n", "").replace(
        "  ", ""
    )
    for fact in (
        "Alex Rivera",
        "Foundations test course",
        certificate.course_version,
        "Trauma-Informed Academy",
        certificate.code,
    ):
        assert fact in html
    assert certificate.user.email not in html  # nothing else about the person


def test_typing_the_code_loosely_finds_it(client, certificate):
    typed = certificate.code.replace("-", " ").lower()
    response = client.post("/verify/", {"code": typed})
    assert (
        response.status_code == 302
        and response["Location"] == f"/verify/{certificate.code}/"
    )


def test_a_mistyped_code_is_said_to_be_mistyped(client, certificate):
    symbols = certificate.code.replace("-", "")
    swapped = symbols[:3] + symbols[4] + symbols[3] + symbols[5:]
    if swapped == symbols:
        swapped = symbols[:-2] + symbols[-1] + symbols[-2]
    response = client.post("/verify/", {"code": swapped})
    assert response.status_code == 400
    assert "looks mistyped" in response.content.decode()


def test_an_unknown_code_gets_a_helpful_404(client, db):
    from academy.certificates.codes import code_new

    response = client.get(f"/verify/{code_new()}/")
    assert response.status_code == 404
    assert "We did not issue a certificate with this code" in response.content.decode()
    assert client.post("/verify/", {"code": "hello"}).status_code == 400


def test_the_page_speaks_the_browsers_language_and_the_switcher_works(
    client, certificate
):
    html = client.get(
        f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert f'href="/verify/{certificate.code}/?lang=fr"' in html
    html = client.get(f"/verify/{certificate.code}/?lang=fr").content.decode()
    assert 'lang="fr"' in html


def test_revocation_shows_at_once_with_its_reason(client, certificate):
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    certificate_revoke(
        certificate=certificate,
        by=admin,
        reason="Issued in error.",
        client_address="203.0.113.9",
    )
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Revoked on" in html and "Issued in error." in html
    event = AuditEvent.objects.get(action="certificate.revoke")
    assert event.actor == admin and event.client_address == "203.0.113.9"


def test_only_administrators_revoke_and_always_with_a_reason(certificate, learner):
    from academy.certificates.services import CertificateRevokePermissionError
    from academy.core.exceptions import ApplicationError

    with pytest.raises(
        CertificateRevokePermissionError, match="Only academy administrators"
    ):
        certificate_revoke(certificate=certificate, by=learner, reason="Because.")
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    with pytest.raises(ApplicationError, match="Give the reason"):
        certificate_revoke(certificate=certificate, by=admin, reason="  ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    certificate_revoke(certificate=certificate, by=admin, reason="Not their work.")
    with pytest.raises(ApplicationError, match="already revoked"):
        certificate_revoke(certificate=certificate, by=admin, reason="Again.")


def test_an_administrator_revokes_in_the_admin(client, certificate):
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    client.force_login(admin)
    assert client.get("/admin/records/certificates/").status_code == 200
    response = client.post(
        f"/admin/records/certificates/{certificate.pk}/revoke/",
        {"reason": "The attempt was not the learner's own."},
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at and certificate.revoked_by == admin


def test_uploading_the_pdf_checks_it(client, certificate):
    pdf = certificate.pdf.read()
    response = client.post("/verify/file/", {"file": SimpleUploadedFile("c.pdf", pdf)})
    assert (
        response.status_code == 302
        and response["Location"] == f"/verify/{certificate.code}/"
    )
    altered = pdf + b"\n% one byte changed, anywhere, is another file\n"
    response = client.post(
        "/verify/file/", {"file": SimpleUploadedFile("c.pdf", altered)}
    )
    assert (
        response.status_code == 404
        and "We did not issue this file" in response.content.decode()
    )
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024))
    assert client.post("/verify/file/", {"file": big}).status_code == 413


def test_bulk_check_returns_each_codes_status(client, certificate):
    rows = [
        "code",
        certificate.code.lower().replace("-", ""),
        "=HYPERLINK(1)",
        "nonsense",
    ]
    upload = SimpleUploadedFile(
        "codes.csv", ("\ufeff" + "\n".join(rows)).encode("utf-8")
    )
    response = client.post("/verify/bulk/", {"file": upload})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "text/csv"
    )
    out = list(csv.reader(io.StringIO(response.content.decode())))
    assert out[0][:2] == ["code", "status"]
    assert out[1][:3] == [certificate.code, "valid", "Alex Rivera"]
    assert out[2][0].startswith("'=") and out[2][1] == "malformed"
    too_many = SimpleUploadedFile("codes.csv", "\n".join(["ABCD"] * 501).encode())
    response = client.post("/verify/bulk/", {"file": too_many})
    assert (
        response.status_code == 400 and "At most 500 codes" in response.content.decode()
    )
    latin1 = SimpleUploadedFile("codes.csv", "Müller".encode("latin-1"))
    assert client.post("/verify/bulk/", {"file": latin1}).status_code == 400


def test_lookups_are_limited_per_address_with_a_clear_429(client, settings, db):
    settings.ACADEMY_VERIFY_RATE_LIMIT = 3
    for _ in range(3):
        assert client.post("/verify/", {"code": "nonsense"}).status_code == 400
    response = client.post("/verify/", {"code": "nonsense"})
    assert (
        response.status_code == 429
        and "Please wait a minute" in response.content.decode()
    )
    other = client.get("/verify/x/", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 400  # another address has its own count


def test_the_learner_downloads_their_pdf_and_nobody_else_can(
    client, certificate, other_learner
):
    client.force_login(certificate.user)
    dashboard = client.get("/en/dashboard/").content.decode()
    assert (
        f"/verify/{certificate.code}/" in dashboard and "Download the PDF" in dashboard
    )
    # …and the signed credential, as a file and as a link a wallet can fetch.
    assert f'href="/verify/{certificate.code}/credential.json?download=1"' in dashboard
    assert (
        f'value="https://academy.test/verify/{certificate.code}/credential.json"'
        in (dashboard)
    )
    response = client.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == certificate.pdf.open("rb").read()
    client.force_login(other_learner)
    assert (
        client.get(f"/en/dashboard/certificates/{certificate.code}.pdf").status_code
        == 404
    )


def test_a_visitors_verification_page_is_kept_until_anything_on_it_changes(
    certificate, monkeypatch
):
    """Kept for visitors without a session, under the certificate's row and its
    status now: a revocation written without a signal, a re-issue under a new
    name and the expiry all show on the next view."""
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from academy.certificates.models import Certificate

    from ..utils import count_queries

    client = Client()  # a visitor: no session
    url = f"/verify/{certificate.code}/"
    client.get(url)
    with count_queries() as seen:
        kept = client.get(url)
    assert "Alex Rivera" in kept.content.decode()
    assert len(seen) == 2  # the lookup counted, the certificate read
    assert kept.templates == []  # not rendered again
    cache.clear()  # the key fixes the page: this process still has it
    again = client.get(url)
    assert again.templates == [] and again.content == kept.content
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="Alex R. Rivera")
    assert "Alex R. Rivera" in client.get(url).content.decode()
    later = certificate.expires_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Expired on" in client.get(url).content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=later, revoked_reason="Issued in error."
    )
    html = client.get(url).content.decode()
    assert "Revoked on" in html and "Issued in error." in html


def test_the_lookup_by_code_loads_the_row_as_the_orm_does(certificate):
    """certificate_lookup reads the row with a statement of its own: every field
    comes back with the type and value a QuerySet gives (dates aware, the hours a
    Decimal, the requirements a dict)."""
    from academy.certificates.models import Certificate
    from academy.certificates.selectors import certificate_lookup

    Certificate.objects.filter(pk=certificate.pk).update(
        requirements={"renewed_through": {"title": "Refresher"}}
    )
    found = certificate_lookup(typed=certificate.code).certificate
    expected = Certificate.objects.get(pk=certificate.pk)
    for field in Certificate._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(expected, field.attname)
        assert (type(mine), mine) == (type(theirs), theirs), field.name
    assert found._state.adding is False and found.status == expected.status
