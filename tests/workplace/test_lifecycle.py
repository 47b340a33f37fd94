"""An organisation's certificate over its life: verifiable like a person's (same
code scheme, same status lists, an Open Badges credential naming the organisation),
revocable at once, kept valid by the annual attestation, renewed by a full review,
announced by reminders, and listed in the public register only by consent."""

import base64
import datetime
import gzip
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey
from jsonschema import Draft201909Validator

from academy.certificates.models import CredentialSlot, OrganisationCertificate
from academy.certificates.services import CertificateRevokeAction
from academy.organisations.models import ReminderSent
from academy.workplace import services
from academy.workplace.models import Attestation, Certification
from academy.workplace.reminders import workplace_reminders_plan

from .. import factories
from .conftest import member

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "ob3"
    / "achievementcredential.schema.json"
)


def certify(employer, hr, assessor, *, recommended=False, at=None):
    certification = services.certification_start(organisation=employer, by=hr, at=at)
    for key in certification.standard.criterion_keys:
        services.criterion_answer_save(
            certification=certification,
            criterion_key=key,
            answer="met",
            statement="We do this.",
            by=hr,
        )
    services.certification_submit(certification=certification, by=hr)
    for key in certification.standard.criterion_keys:
        if key == "lead-review" and not recommended:
            continue
        services.criterion_review_record(
            certification=certification,
            criterion_key=key,
            decision="accepted",
            comment="",
            reviewer=assessor,
        )
    services.certification_approve(certification=certification, reviewer=assessor)
    certification.refresh_from_db()
    return certification


def _b64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_credential_names_the_organisation_and_verifies(
    client, standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    assert not [e.message for e in validator.iter_errors(credential)]
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Harbour Logistics"
    assert subject["achievement"]["achievementType"] == "QualityAssuranceCredential"
    assert "Leadership and policy" in subject["achievement"]["description"]
    token = client.get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    header = json.loads(_b64(token.split(".")[0]))
    did = client.get("/.well-known/did.json").json()
    method = next(m for m in did["verificationMethod"] if m["id"] == header["kid"])
    claims = jwt.decode(
        token, RSAKey.import_key(method["publicKeyJwk"]), algorithms=["RS256"]
    ).claims
    assert claims["vc"]["id"] == credential["id"]
    assert claims["exp"] == int(certificate.attested_until.timestamp())


def test_one_code_space_and_one_status_list_for_people_and_organisations(
    client, standard, employer, hr, assessor
):
    person = factories.make_certificate(user=hr, course_key="foundations")
    certificate = certify(employer, hr, assessor).certificate
    slots = CredentialSlot.objects.order_by("kind")
    assert [s.kind for s in slots] == ["organisation", "person", "person"]
    assert certificate.status_index != person.status_index
    bulk = client.post(
        "/verify/bulk/",
        {"file": factories_file(f"code\n{certificate.code}\n{person.code}\n".encode())},
    ).content.decode()
    assert (
        "Harbour Logistics" in bulk and "Trauma-informed workplace: Certified" in bulk
    )


def factories_file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("codes.csv", data, content_type="text/csv")


def _revoked_bits(client, certificate) -> bool:
    token = client.get(f"/verify/status/{certificate.status_list}/").content.decode()
    claims = json.loads(_b64(token.split(".")[1]))
    encoded = claims["vc"]["credentialSubject"]["encodedList"]
    bits = gzip.decompress(_b64(encoded[1:]))
    position = certificate.status_list_position
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def test_revocation_shows_at_once(client, standard, employer, hr, assessor):
    certificate = certify(employer, hr, assessor).certificate
    assert not _revoked_bits(client, certificate)
    admin = factories.make_user(is_superuser=True, is_staff=True)
    CertificateRevokeAction(
        certificate, user=admin, reason="A substantiated complaint about fees."
    ).execute()
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Revoked on" in page and "A substantiated complaint about fees." in page
    assert _revoked_bits(client, certificate)
    with pytest.raises(Exception, match="already revoked"):
        CertificateRevokeAction(certificate, user=admin, reason="Again").execute()


def test_without_its_annual_attestation_it_shows_as_expired(
    client, standard, employer, hr, assessor
):
    certification = certify(employer, hr, assessor)
    certificate = certification.certificate
    assert certificate.attested_until < certificate.expires_at
    # A year and a day later, nobody attested.
    later = certificate.attested_until + datetime.timedelta(days=1)
    assert certificate.status_at(later) == "lapsed"
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        valid_from=certificate.valid_from - datetime.timedelta(days=366),
        issued_at=certificate.issued_at - datetime.timedelta(days=366),
        attested_until=timezone.now() - datetime.timedelta(days=1),
        expires_at=certificate.expires_at - datetime.timedelta(days=366),
    )
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Expired on" in page and "did not make its annual attestation" in page
    # The attestation, late, brings it back for a year from today.
    client.force_login(hr)
    assert client.get("/en/workplace/attest/").status_code == 200
    response = client.post("/en/workplace/attest/", {"nothing_changed": "yes"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert Attestation.objects.get().nothing_changed


def test_a_reported_change_waits_for_an_assessor(
    client, standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        attested_until=timezone.now() + datetime.timedelta(days=20)
    )
    client.force_login(hr)
    response = client.post("/en/workplace/attest/", {"nothing_changed": "no"})
    assert (
        response.status_code == 400
        and "Say what has changed" in response.content.decode()
    )
    client.post(
        "/en/workplace/attest/",
        {
            "nothing_changed": "no",
            "changes": "A new labour agency for the night shift.",
        },
    )
    certificate.refresh_from_db()
    assert (certificate.attested_until - timezone.now()).days < 30  # not yet moved
    client.force_login(assessor)
    queue = client.get("/admin/workplace/").content.decode()
    assert "A new labour agency for the night shift." in queue
    attestation = Attestation.objects.get()
    client.post(f"/admin/workplace/attestations/{attestation.pk}/accept/")
    certificate.refresh_from_db()
    assert (certificate.attested_until - timezone.now()).days > 360


def test_too_early_for_an_attestation_or_a_renewal(
    client, standard, employer, hr, assessor
):
    certify(employer, hr, assessor)
    client.force_login(hr)
    assert client.get("/en/workplace/attest/").status_code == 404
    response = client.post("/en/workplace/start/")
    assert (
        response.status_code == 400 and "renewal opens on" in response.content.decode()
    )
    assert Certification.objects.count() == 1


def test_renewal_is_a_full_review_valid_from_the_old_expiry(
    standard, employer, hr, assessor
):
    first = certify(employer, hr, assessor)
    old = first.certificate
    # 80 days before expiry the renewal opens.
    soon = old.expires_at - datetime.timedelta(days=80)
    renewal = services.certification_start(organisation=employer, by=hr, at=soon)
    assert renewal.kind == "renewal" and renewal.renews == first
    for key in standard.criterion_keys:
        services.criterion_answer_save(
            certification=renewal,
            criterion_key=key,
            answer="met",
            statement="Still true.",
            by=hr,
        )
    services.certification_submit(certification=renewal, by=hr)
    for key in standard.required_keys:
        services.criterion_review_record(
            certification=renewal,
            criterion_key=key,
            decision="accepted",
            comment="",
            reviewer=assessor,
        )
    services.certification_approve(certification=renewal, reviewer=assessor)
    renewal.refresh_from_db()
    new = renewal.certificate
    assert new.valid_from == old.expires_at and new.code != old.code
    old.refresh_from_db()
    assert old.revoked_at is None  # the earlier certificate is untouched
    assert new.status == "not_yet"


def test_reminders_before_expiry_and_attestation_go_out_once(
    standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    manager = member(employer, manager=True, preferred_language="es")
    assert workplace_reminders_plan() == []
    for days, mark in ((89, 90), (29, 30), (6, 7)):
        moment = certificate.expires_at - datetime.timedelta(days=days)
        plan = workplace_reminders_plan(now=moment)
        keys = {p["key"] for p in plan if p["template"] == "expiry"}
        assert keys == {f"workplace-expiry:{certificate.pk}:{mark}"}
        assert {p["user_id"] for p in plan} == {hr.pk, manager.pk}
    moment = certificate.attested_until - datetime.timedelta(days=6)
    plan = workplace_reminders_plan(now=moment)
    assert [p["template"] for p in plan if p["user_id"] == hr.pk] == ["attestation"]
    # Sending: each once, in the person's language, however often the command runs.
    soon = timezone.now() + datetime.timedelta(days=25)
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        expires_at=soon, attested_until=soon
    )
    mail.outbox.clear()
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([hr.email, manager.email])
    spanish = next(m for m in mail.outbox if m.to == [manager.email])
    assert "Harbour Logistics" in spanish.body and spanish.subject != ""
    assert ReminderSent.objects.filter(key__startswith="workplace-expiry").count() == 2


def test_the_public_register_lists_only_by_consent_and_while_valid(
    client, standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    assert "Harbour" not in client.get("/en/employers/register/").content.decode()
    client.force_login(hr)
    client.post("/en/workplace/register/", {"listed": "yes"})
    client.logout()
    page = client.get("/en/employers/register/").content.decode()
    assert "Harbour Logistics" in page and "Rotterdam" in page
    assert "Logistics and warehousing" in page
    assert (
        "Harbour Logistics"
        in client.get(
            "/en/employers/register/?city=rotterdam&sector=logistics&level=certified"
        ).content.decode()
    )
    assert (
        "Harbour Logistics"
        not in client.get("/en/employers/register/?level=distinction").content.decode()
    )
    assert client.get("/en/employers/register/?sector=<script>").status_code == 400
    # Lapsed: no longer listed, though the consent stands.
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        attested_until=timezone.now() - datetime.timedelta(days=1)
    )
    assert "Harbour" not in client.get("/en/employers/register/").content.decode()
    OrganisationCertificate.objects.filter(pk=certificate.pk).update(
        attested_until=certificate.attested_until
    )
    client.force_login(hr)
    client.post("/en/workplace/register/", {"listed": "no"})
    client.logout()
    assert "Harbour" not in client.get("/en/employers/register/").content.decode()


def test_an_administrator_revokes_a_workplace_certificate_in_the_admin(
    client, standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    client.force_login(assessor)  # an assessor is not an administrator
    response = client.post(
        f"/admin/records/organisation-certificates/{certificate.pk}/revoke/",
        {"reason": "Fees were charged."},
    )
    assert response.status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    admin = factories.make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get("/admin/records/organisation-certificates/").content.decode()
    assert certificate.code in listing and "Revoke" in listing
    client.post(
        f"/admin/records/organisation-certificates/{certificate.pk}/revoke/",
        {"reason": "Recruitment fees were charged to workers."},
    )
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Recruitment fees were charged to workers."


def test_the_workplace_achievement_resolves(client, standard, employer, hr, assessor):
    certificate = certify(employer, hr, assessor).certificate
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    address = credential["credentialSubject"]["achievement"]["id"]
    path = address.removeprefix("https://academy.test")
    assert path == "/achievements/workplace-certified/2026.1"
    document = client.get(path + ".json").json()
    assert document["achievementType"] == "QualityAssuranceCredential"
    page = client.get(path).content.decode()
    assert "Trauma-informed workplace" in page
    assert client.get("/achievements/workplace-distinction/2026.1").status_code == 404
