"""Certificate PDFs in a private S3 bucket (a real S3 API server on loopback: moto's,
in its own process): stored once, with the hash we keep, reachable only through the
download view that checks who is asking."""

import hashlib

import pytest
import requests
from django.core.files.base import ContentFile

from academy.certificates.models import Certificate
from academy.core.storage import private_storage
from ops import servers

from .conftest import pass_assessment

pytestmark = pytest.mark.django_db


def _object(endpoint, bucket, key) -> bytes:
    return servers.s3_client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()


def test_an_issued_certificate_is_stored_in_the_bucket_with_its_hash(
    taker, private_s3, s3_server
):
    pass_assessment(taker)
    certificate = Certificate.objects.get()
    assert certificate.pdf.name == f"certificates/{certificate.code}.pdf"
    stored = _object(s3_server, private_s3, certificate.pdf.name)
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256


def test_only_the_holder_downloads_it_and_the_bucket_never_serves_it(
    taker, private_s3, s3_server, client, other_learner
):
    pass_assessment(taker)
    certificate = Certificate.objects.get()
    url = f"/en/dashboard/certificates/{certificate.code}.pdf"

    response = taker.client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == certificate.pdf_sha256

    client.logout()
    client.force_login(other_learner)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign-in

    # Straight to the object, without credentials: refused by the S3 server.
    direct = requests.get(f"{s3_server}/{private_s3}/{certificate.pdf.name}")
    assert direct.status_code == 403
    grants = servers.s3_client(s3_server).get_object_acl(
        Bucket=private_s3, Key=certificate.pdf.name
    )["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    with pytest.raises(ValueError, match="no public address"):
        private_storage().url(certificate.pdf.name)


def test_a_missing_pdf_is_rendered_again_on_download(taker, private_s3, s3_server):
    pass_assessment(taker)
    certificate = Certificate.objects.get()
    servers.s3_client(s3_server).delete_object(
        Bucket=private_s3, Key=certificate.pdf.name
    )
    Certificate.objects.filter(pk=certificate.pk).update(pdf_sha256="")
    response = taker.client.get(f"/en/dashboard/certificates/{certificate.code}.pdf")
    assert response.status_code == 200
    certificate.refresh_from_db()
    stored = _object(s3_server, private_s3, certificate.pdf.name)
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256


def test_a_stored_file_is_never_overwritten(private_s3, s3_server):
    storage = private_storage()
    first = storage.save("evidence/report.pdf", ContentFile(b"first"))
    second = storage.save("evidence/report.pdf", ContentFile(b"second"))
    assert first == "evidence/report.pdf" and second != first
    assert _object(s3_server, private_s3, first) == b"first"
    assert _object(s3_server, private_s3, second) == b"second"
