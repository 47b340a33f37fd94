"""The embedded Data Integrity proof (eddsa-rdfc-2022): our signer reproduces the
specification's test vector, signs only what every term of the document means (never
fetching a context), publishes its key as a Multikey in did.json, and covers the
status list too. Tests against the DCC verifier itself: test_dcc_verifier.py."""

import base64
import io
import json
import socket
from datetime import UTC, datetime

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.core.management import call_command
from jsonschema import Draft201909Validator

from academy.certificates import credentials, keys, proofs
from academy.certificates.models import SigningKey
from academy.certificates.services import certificate_revoke
from academy.core.models import User

from .test_credential import SCHEMA

pytestmark = pytest.mark.django_db

# W3C VC Data Integrity EdDSA Cryptosuites v1.0, the eddsa-rdfc-2022 example
# (test vectors: keyPair.json and eddsa-rdfc-2022/signedDataInt.json).
VECTOR_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
VECTOR_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_PROOF_VALUE = (
    "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7"
    "CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
)
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
VECTOR_DOCUMENT = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_CONTEXT],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:abcdefgh",
        "alumniOf": "The School of Examples",
    },
}


def test_the_specification_test_vector_is_reproduced():
    secret = base58.b58decode(VECTOR_SECRET[1:])
    assert secret[:2] == b"\x80\x26"  # multicodec ed25519-priv
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    public = private.public_key().public_bytes_raw()
    assert keys.multikey_encode(public) == VECTOR_PUBLIC
    loader = proofs.document_loader(
        {
            **proofs.CONTEXTS,
            EXAMPLES_CONTEXT: {
                "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
            },
        }
    )
    signed = proofs.proof_add(
        VECTOR_DOCUMENT,
        sign=private.sign,
        verification_method=f"https://vc.example/issuers/5678#{VECTOR_PUBLIC}",
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        loader=loader,
    )
    assert signed["proof"][0]["proofValue"] == VECTOR_PROOF_VALUE


def _published_multikey(client, method_id: str) -> Ed25519PublicKey:
    did = client.get("/.well-known/did.json").json()
    method = next(m for m in did["verificationMethod"] if m["id"] == method_id)
    assert method["type"] == "Multikey" and method["controller"] == did["id"]
    assert method_id in did["assertionMethod"]
    raw = base58.b58decode(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def _proof_verifies(client, document: dict) -> bool:
    (proof,) = document["proof"]
    key = _published_multikey(client, proof["verificationMethod"])
    signature = base58.b58decode(proof["proofValue"][1:])
    try:
        key.verify(signature, proofs.signing_input(document, proof))
    except InvalidSignature:
        return False
    return True


def test_credential_json_carries_a_proof_by_a_published_key(client, certificate):
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    (proof,) = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith("did:web:academy.test#z6Mk")
    assert _proof_verifies(client, credential)
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    assert not _proof_verifies(client, credential)
    # Still an Open Badges 3.0 credential by the official schema, proof included.
    validator = Draft201909Validator(json.loads(SCHEMA.read_text()))
    errors = [e.message for e in validator.iter_errors(credential)]
    assert not errors


def test_the_vc_jwt_carries_no_embedded_proof(client, certificate):
    token = client.get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert "proof" not in claims["vc"]


def test_the_credential_can_be_downloaded_as_a_file(client, certificate):
    response = client.get(f"/verify/{certificate.code}/credential.json?download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.code}.json"'
    )
    assert response.json()["proof"]


def test_old_proofs_verify_after_a_rotation(client, certificate):
    before = client.get(f"/verify/{certificate.code}/credential.json").json()
    call_command("signing_keys", "--rotate", stdout=io.StringIO())
    after = client.get(f"/verify/{certificate.code}/credential.json").json()
    assert (
        before["proof"][0]["verificationMethod"]
        != after["proof"][0]["verificationMethod"]
    )
    assert _proof_verifies(client, before) and _proof_verifies(client, after)


def test_signing_never_fetches_a_context(monkeypatch):
    """The document loader serves the bundled contexts and refuses anything else,
    without opening a connection."""
    connections = []

    def no_network(*args, **kwargs):
        connections.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    document = {**VECTOR_DOCUMENT, "@context": VECTOR_DOCUMENT["@context"][:1]}
    document["credentialSubject"] = {"id": "did:example:abcdefgh"}
    document["type"] = ["VerifiableCredential"]
    assert proofs.canonical_nquads(document)  # bundled: fine, offline
    with pytest.raises(proofs.ProofError, match="credentials/examples/v2"):
        proofs.canonical_nquads(VECTOR_DOCUMENT)  # names a context we don't bundle
    assert connections == []


def test_a_term_no_context_defines_is_refused_not_dropped(certificate):
    """JSON-LD would silently leave it out of what is signed; the JavaScript
    verifiers' safe mode refuses it. So do we."""
    document = credentials.credential_json(certificate)
    document["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(proofs.ProofError, match="favouriteColour"):
        credentials.credential_sign(document)
    document = credentials.credential_json(certificate)
    document["credentialSubject"]["achievement"]["id"] = "achievements/relative"
    with pytest.raises(proofs.ProofError, match="Relative"):
        credentials.credential_sign(document)


def test_the_status_list_is_offered_with_a_proof_to_json_ld_clients(
    client, certificate
):
    url = f"/verify/status/{certificate.status_list}/"
    default = client.get(url)
    assert default["Content-Type"] == "application/vc+jwt"
    assert "Accept" in default["Vary"]
    response = client.get(url, HTTP_ACCEPT="application/ld+json, application/json")
    assert response["Content-Type"] == "application/ld+json"
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert _proof_verifies(client, listed)
    # A revocation shows at once in both forms (each is cached for a minute).
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    before = listed["credentialSubject"]["encodedList"]
    certificate_revoke(certificate=certificate, by=admin, reason="Issued in error.")
    after = client.get(url, HTTP_ACCEPT="application/ld+json").json()
    assert after["credentialSubject"]["encodedList"] != before


def test_a_generation_from_before_proofs_gets_its_ed25519_half(
    client, certificate, settings
):
    key = keys.signing_key_active()
    SigningKey.objects.filter(pk=key.pk).update(ed25519_public="")
    # Production makes nothing by itself: it says what to do.
    settings.ACADEMY_SIGNING_KEY_AUTOCREATE = False
    response = client.get(f"/verify/{certificate.code}/credential.json")
    assert response.status_code == 503
    from academy.certificates.checks import signing_keys_ready

    assert "academy.W002" in [w.id for w in signing_keys_ready()]
    # Development adds one on first use.
    settings.ACADEMY_SIGNING_KEY_AUTOCREATE = True
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    key.refresh_from_db()
    assert key.ed25519_public.startswith("z6Mk")
    assert _proof_verifies(client, credential)
