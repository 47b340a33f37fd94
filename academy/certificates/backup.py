"""Checking a restored backup from the certificates' side: every certificate the
live site had is in the restored copy, with its code, its PDF (same SHA-256), a
credential that the restored signing keys sign and the restored did.json verifies
(the VC-JWT with the RSA key, the embedded Data Integrity proof with the Ed25519
key), and the same status (valid, expired, revoked)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from . import codes, credentials, proofs
from .keys import KeyUnavailable, multikey_decode
from .models import Certificate


def certificates_manifest_of(certificate: Certificate) -> dict:
    return {
        "code": certificate.code,
        "pdf_sha256": certificate.pdf_sha256,
        "status": certificate.status,
        "holder_name": certificate.holder_name,
    }


def certificates_manifest() -> list[dict]:
    """What the live site holds, to compare the restored copy with."""
    return [certificates_manifest_of(c) for c in Certificate.objects.order_by("pk")]


@dataclass(frozen=True)
class Checked:
    certificates: int
    pdfs: int
    signatures: int
    problems: list[str]


def _verified_with_did(token: str, did: dict) -> bool:
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    method = next(
        (m for m in did["verificationMethod"] if m["id"] == header.get("kid")), None
    )
    if method is None:
        return False
    try:
        jwt.decode(token, RSAKey.import_key(method["publicKeyJwk"]), ["RS256"])
    except JoseError:
        return False
    return True


def _proof_verified_with_did(document: dict, did: dict) -> bool:
    """The credential's eddsa-rdfc-2022 proof against the Multikey that did.json
    publishes under the proof's verificationMethod."""
    (proof,) = document["proof"]
    methods = {m["id"]: m for m in did["verificationMethod"]}
    method = methods.get(proof["verificationMethod"])
    if method is None or not proof["proofValue"].startswith("z"):
        return False
    public = Ed25519PublicKey.from_public_bytes(
        multikey_decode(method["publicKeyMultibase"])
    )
    try:
        public.verify(
            base58.b58decode(proof["proofValue"][1:]),
            proofs.signing_input(document, proof),
        )
    except InvalidSignature:
        return False
    return True


def certificates_verify(*, manifest: list[dict]) -> Checked:
    """Run in the restored copy (its database, files and keys)."""
    problems: list[str] = []
    expected = {m["code"]: m for m in manifest}
    restored = {c.code: c for c in Certificate.objects.all()}
    for code in sorted(expected.keys() - restored.keys()):
        problems.append(f"{code}: missing from the restored database")
    # Certificates issued while the dump ran are in it but not in the manifest
    # (taken just before): checked like the rest, against themselves.
    try:
        did = credentials.did_document()
    except KeyUnavailable as error:
        did = {"verificationMethod": []}
        problems.append(f"did.json: {error}")
    pdfs = signatures = 0
    for code, certificate in sorted(restored.items()):
        live = expected.get(code) or certificates_manifest_of(certificate)
        try:
            if codes.normalise(code) != code:
                problems.append(f"{code}: not a canonical code")
        except ValueError:
            problems.append(f"{code}: the check symbol does not match")
        if certificate.holder_name != live["holder_name"]:
            problems.append(f"{code}: holder name differs")
        if certificate.status != live["status"]:
            problems.append(
                f"{code}: status {certificate.status}, live {live['status']}"
            )
        problems.extend(_pdf_problems(certificate, live))
        if not any(p.startswith(f"{code}: PDF") for p in problems):
            pdfs += 1
        try:
            token = credentials.credential_jwt(certificate)
        except KeyUnavailable as error:
            problems.append(f"{code}: cannot sign: {error}")
            continue
        try:
            signed = credentials.credential_signed(certificate)
        except KeyUnavailable as error:
            problems.append(f"{code}: cannot add the Data Integrity proof: {error}")
            continue
        if not _verified_with_did(token, did):
            problems.append(f"{code}: the signature does not verify with did.json")
        elif not _proof_verified_with_did(signed, did):
            problems.append(f"{code}: the Data Integrity proof does not verify")
        else:
            signatures += 1
    return Checked(len(restored), pdfs, signatures, problems)


def _pdf_problems(certificate: Certificate, live: dict) -> list[str]:
    code = certificate.code
    if not certificate.pdf_sha256:
        return [] if not live["pdf_sha256"] else [f"{code}: PDF hash lost"]
    if certificate.pdf_sha256 != live["pdf_sha256"]:
        return [f"{code}: PDF hash differs from the live site's"]
    storage = certificate.pdf.storage
    if not certificate.pdf.name or not storage.exists(certificate.pdf.name):
        return [f"{code}: PDF file missing from the restored storage"]
    with storage.open(certificate.pdf.name, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    if digest != certificate.pdf_sha256:
        return [f"{code}: PDF file does not match its SHA-256"]
    return []
