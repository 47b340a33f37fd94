"""The Open Badges 3.0 credential: valid against the official schema (a copy in
tests/fixtures/ob3), signed with a key the issuer publishes in did.json, and
revocable through the status list. Every signature is checked with joserfc, an
independent JOSE library, against the published did.json: never with our own code."""

import base64
import gzip
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey
from jsonschema import Draft201909Validator

from academy.certificates.services import certificate_revoke
from academy.core.models import User

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "ob3"
    / "achievementcredential.schema.json"
)


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _published_key(client, kid: str) -> RSAKey:
    did = client.get("/.well-known/did.json").json()
    method = next(m for m in did["verificationMethod"] if m["id"] == kid)
    return RSAKey.import_key(method["publicKeyJwk"])


def _verified(client, token: str) -> tuple[dict, dict]:
    """(header, claims) of a VC-JWT, verified with the key did.json publishes."""
    header = json.loads(_b64(token.split(".")[0]))
    key = _published_key(client, header["kid"])
    decoded = jwt.decode(token, key, algorithms=["RS256"])
    return decoded.header, decoded.claims


def test_the_json_validates_against_the_open_badges_schema(client, certificate):
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(credential), key=str)
    assert not errors, [e.message for e in errors]
    assert (
        credential["credentialSubject"]["achievement"]["name"]
        == "Foundations test course"
    )
    assert credential["issuer"]["id"] == "did:web:academy.test"


def test_the_jwt_follows_the_vc_jwt_rules_and_fails_when_altered(client, certificate):
    response = client.get(f"/verify/{certificate.code}/credential.jwt")
    assert response["Content-Type"] == "application/vc+jwt"
    token = response.content.decode()
    header, claims = _verified(client, token)
    assert header["alg"] == "RS256" and header["kid"].startswith(
        "did:web:academy.test#"
    )
    vc = claims["vc"]
    # I6: the registered claims of the Open Badges 3.0 VC-JWT profile.
    assert claims["iss"] == vc["issuer"]["id"] == "did:web:academy.test"
    assert claims["sub"] == vc["credentialSubject"]["id"]
    assert claims["sub"].startswith("urn:uuid:")
    assert claims["jti"] == vc["id"]
    assert claims["nbf"] == int(certificate.issued_at.timestamp())
    assert claims["exp"] == int(certificate.expires_at.timestamp())
    assert vc["credentialSubject"]["identifier"][0]["identityHash"] == "Alex Rivera"
    head, payload, signature = token.split(".")
    altered = json.loads(_b64(payload))
    altered["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    forged = ".".join(
        [
            head,
            base64.urlsafe_b64encode(json.dumps(altered).encode())
            .rstrip(b"=")
            .decode(),
            signature,
        ]
    )
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(
            forged, _published_key(client, header["kid"]), algorithms=["RS256"]
        )


def _revoked_bit(client, credential) -> int:
    entry = credential["credentialStatus"]
    token = client.get(
        entry["statusListCredential"].replace("https://academy.test", "")
    ).content.decode()
    _header, claims = _verified(client, token)
    encoded = claims["vc"]["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(_b64(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_revoking_flips_the_status_bit_at_once(client, certificate):
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    assert _revoked_bit(client, credential) == 0  # now cached for a minute…
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    certificate_revoke(certificate=certificate, by=admin, reason="Issued in error.")
    assert _revoked_bit(client, credential) == 1  # …and the revocation clears it


def test_after_rotation_old_credentials_still_verify(client, certificate, capsys):
    old = client.get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    call_command("signing_keys", "--rotate")
    out = capsys.readouterr().out
    assert "New active key" in out and "retired" in out
    assert "(Ed25519 z6Mk" in out and "Ed25519 present" in out
    old_header, _claims = _verified(client, old)
    new_header, _claims = _verified(
        client,
        client.get(f"/verify/{certificate.code}/credential.jwt").content.decode(),
    )
    assert new_header["kid"] != old_header["kid"]
    methods = client.get("/.well-known/did.json").json()["verificationMethod"]
    # Two generations, each an RSA key (VC-JWT) and an Ed25519 key (Data Integrity).
    assert (
        sorted(m["type"] for m in methods) == ["JsonWebKey2020"] * 2 + ["Multikey"] * 2
    )


def test_the_published_key_ids_are_rfc7638_thumbprints(client, certificate):
    did = client.get("/.well-known/did.json").json()
    jwks = [m for m in did["verificationMethod"] if m["type"] == "JsonWebKey2020"]
    assert jwks
    for method in jwks:
        jwk = method["publicKeyJwk"]
        assert set(jwk) >= {"kty", "n", "e", "kid"} and "d" not in jwk
        assert RSAKey.import_key(jwk).thumbprint() == jwk["kid"]
        assert method["id"].endswith("#" + jwk["kid"])
