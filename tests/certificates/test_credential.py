"""The Open Badges 3.0 credential: valid against the official schema, signed with a
key the issuer publishes, and revocable through the status list."""

import gzip
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from academy.certificates.keys import b64url_decode, verify
from academy.certificates.services import certificate_revoke
from academy.core.models import User

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "ob3"
    / "achievementcredential.schema.json"
)


def _jwt_parts(token: str):
    header, payload, signature = token.split(".")
    return (
        json.loads(b64url_decode(header)),
        json.loads(b64url_decode(payload)),
        f"{header}.{payload}".encode(),
        b64url_decode(signature),
    )


def _published_key(client, kid: str) -> dict:
    did = client.get("/.well-known/did.json").json()
    method = next(m for m in did["verificationMethod"] if m["id"] == kid)
    return method["publicKeyJwk"]


def test_the_json_validates_against_the_open_badges_schema(client, certificate):
    if not SCHEMA.exists():
        pytest.skip(
            f"The Open Badges 3.0 schema is not at {SCHEMA} (it is in ../shared)."
        )
    from jsonschema import Draft201909Validator

    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(credential), key=str)
    assert not errors, [e.message for e in errors]
    assert (
        credential["credentialSubject"]["achievement"]["name"]
        == "Foundations test course"
    )
    assert credential["issuer"]["id"] == "did:web:academy.test"


def test_the_jwt_verifies_with_the_published_key_and_fails_when_altered(
    client, certificate
):
    response = client.get(f"/verify/{certificate.code}/credential.jwt")
    assert response["Content-Type"] == "application/vc+jwt"
    header, payload, signed, signature = _jwt_parts(response.content.decode())
    assert header["alg"] == "RS256" and header["kid"].startswith(
        "did:web:academy.test#"
    )
    assert (
        payload["credentialSubject"]["identifier"][0]["identityHash"] == "Alex Rivera"
    )
    jwk = _published_key(client, header["kid"])
    assert verify(signed, signature, jwk)
    tampered = bytearray(signed)
    tampered[len(tampered) // 2] ^= 0x01
    assert not verify(bytes(tampered), signature, jwk)


def _revoked_bit(client, credential) -> int:
    entry = credential["credentialStatus"]
    token = client.get(
        entry["statusListCredential"].replace("https://academy.test", "")
    ).content
    header, payload, signed, signature = _jwt_parts(token.decode())
    assert verify(signed, signature, _published_key(client, header["kid"]))
    encoded = payload["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_revoking_flips_the_status_bit(client, certificate):
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    assert _revoked_bit(client, credential) == 0
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    certificate_revoke(certificate=certificate, by=admin, reason="Issued in error.")
    assert _revoked_bit(client, credential) == 1


def test_after_rotation_old_credentials_still_verify(client, certificate, capsys):
    old = client.get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    call_command("signing_keys", "--rotate")
    out = capsys.readouterr().out
    assert "New active key" in out and "retired" in out
    old_header, _payload, signed, signature = _jwt_parts(old)
    assert verify(signed, signature, _published_key(client, old_header["kid"]))
    new_header = _jwt_parts(
        client.get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    )[0]
    assert new_header["kid"] != old_header["kid"]
    assert len(client.get("/.well-known/did.json").json()["verificationMethod"]) == 2
