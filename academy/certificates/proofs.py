"""Embedded Data Integrity proofs: W3C Verifiable Credential Data Integrity 1.0 with
the `eddsa-rdfc-2022` cryptosuite (VC Data Integrity EdDSA Cryptosuites 1.0), the
proof that Open Badges 3.0 wallets and verifiers (the DCC's Learner Credential Wallet
and verifier among them) check.

The proof configuration and the document (without its proof) are each canonicalised
with RDF Dataset Canonicalization (pyld), hashed with SHA-256, and the signature is
Ed25519 over proofConfigHash || documentHash, written as multibase base58btc ("z…").

The JSON-LD contexts come from `contexts/` in this package and nowhere else: the
document loader refuses any other address, so signing never fetches anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
from django.utils import timezone
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader

from .keys import ed25519_key_active, ed25519_sign
from .models import SigningKey

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
# Every context a credential of ours may name, with its bundled copy (contexts/README.md
# says where each comes from).
CONTEXTS: dict[str, Path] = {
    "https://www.w3.org/ns/credentials/v2": CONTEXTS_DIR / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": CONTEXTS_DIR
    / "ob-v3p0-context-3.0.3.json",
}

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

# Control characters other than tab, newline and carriage return are escaped one way
# by pyld and another by RDFC-1.0's canonical N-Quads: refuse them rather than sign
# a form some verifiers would compute differently.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_OR_ABSOLUTE = re.compile(r"^(_:|[A-Za-z][A-Za-z0-9+.-]*:)")

Loader = Callable[[str, dict], dict]


class ProofError(ValueError):
    """The document cannot be signed as it is (a programming error, not a user's)."""


def document_loader(contexts: dict[str, Path] | None = None) -> Loader:
    """A JSON-LD document loader that serves the bundled contexts and refuses every
    other address (pyld's FrozenDocumentLoader): nothing is fetched, ever."""
    return FrozenDocumentLoader(documents=contexts or CONTEXTS)


DOCUMENT_LOADER = document_loader()


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _relative_references(expanded: Any):
    """@id and @type values of the expanded form that are not absolute IRIs (or
    blank nodes): JSON-LD drops them from the RDF without a word."""
    if isinstance(expanded, list):
        for item in expanded:
            yield from _relative_references(item)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            if key in ("@id", "@type"):
                for reference in value if isinstance(value, list) else [value]:
                    if isinstance(reference, str) and not _BLANK_OR_ABSOLUTE.match(
                        reference
                    ):
                        yield reference
            elif key != "@value":
                yield from _relative_references(value)


def canonical_nquads(document: dict, *, loader: Loader = DOCUMENT_LOADER) -> str:
    """The document's RDF dataset in canonical N-Quads (RDFC-1.0, which pyld names
    URDNA2015). Strict, as the JavaScript verifiers' "safe mode" is: a property
    that no context defines, or a relative IRI, is an error instead of being
    silently left out of what is signed."""
    unsafe = [s for s in _strings(document) if _UNSAFE_CHARACTERS.search(s)]
    if unsafe:
        raise ProofError(f"Control characters in {unsafe[0]!r}.")
    dropped: list[str | None] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    # No base IRI, as the specification's verifiers use (pyld would otherwise
    # resolve relative references against a placeholder address).
    options: dict[str, Any] = {"documentLoader": loader, "base": None}
    try:
        expanded = processor.expand(document, options)
        if dropped:
            raise ProofError(f"Properties no context defines: {dropped}.")
        relative = list(_relative_references(expanded))
        if relative:
            raise ProofError(f"Relative IRIs: {relative}.")
        return processor.normalize(
            document,
            {**options, "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    except jsonld.JsonLdError as error:
        raise ProofError(f"Not a JSON-LD document we can sign: {error}") from error


def _hash(document: dict, loader: Loader) -> bytes:
    return hashlib.sha256(canonical_nquads(document, loader=loader).encode()).digest()


def signing_input(document: dict, proof: dict, *, loader: Loader = DOCUMENT_LOADER):
    """proofConfigHash || transformedDocumentHash (eddsa-rdfc-2022, §3.3): the proof
    configuration, without proofValue and with the document's @context, and the
    document without its proof, each canonicalised and hashed separately."""
    if "@context" not in document:
        raise ProofError("The document has no @context.")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {
        "@context": document["@context"],
        **{k: v for k, v in proof.items() if k != "proofValue"},
    }
    return _hash(config, loader) + _hash(unsecured, loader)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_add(
    document: dict,
    *,
    sign: Callable[[bytes], bytes],
    verification_method: str,
    created: datetime,
    loader: Loader = DOCUMENT_LOADER,
) -> dict:
    """A copy of the document with an embedded DataIntegrityProof (eddsa-rdfc-2022),
    signed by `sign` (Ed25519 over the signing input). `proof` is a list of one,
    as the Open Badges 3.0 schema requires (Data Integrity accepts both)."""
    if "proof" in document:
        raise ProofError("The document already has a proof.")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _iso(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = sign(signing_input(document, proof, loader=loader))
    value = "z" + base58.b58encode(signature).decode("ascii")
    return {**document, "proof": [{**proof, "proofValue": value}]}


def verification_method_id(did: str, key: SigningKey) -> str:
    """The Multikey's id in the issuer's DID document: the DID, then the key."""
    return f"{did}#{key.ed25519_public}"


def proof_sign(
    document: dict,
    *,
    issuer: str,
    key: SigningKey | None = None,
    created: datetime | None = None,
) -> dict:
    """Any credential (an Open Badges credential, a status list, an organisation's
    certificate) with a Data Integrity proof by `issuer`'s active Ed25519 key, which
    its did.json publishes. The contexts it names must be bundled (CONTEXTS)."""
    key = key or ed25519_key_active()
    return proof_add(
        document,
        sign=lambda data: ed25519_sign(key, data),
        verification_method=verification_method_id(issuer, key),
        created=created or timezone.now(),
    )
