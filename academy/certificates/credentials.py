"""Open Badges 3.0: each certificate as an AchievementCredential (a W3C Verifiable
Credential) with an embedded Data Integrity proof, the signed VC-JWT, the
Achievement it names, the issuer's did:web document, and the Bitstring Status List
that publishes revocations (as a credential with a proof, and as a VC-JWT)."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .keys import sign_compact, signing_key_active
from .models import STATUS_LIST_SIZE, Certificate, OrganisationCertificate, SigningKey
from .proofs import proof_sign, verification_method_id

HOLDER_NAMESPACE = uuid.UUID("5d1f2f0e-8f3e-4f7b-9d8a-6a0c1e5b7c11")

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def public_url(path: str = "") -> str:
    return settings.ACADEMY_PUBLIC_URL.rstrip("/") + path


def issuer_did() -> str:
    """did:web:<host>[%3A<port>] for the public address."""
    parts = urlsplit(settings.ACADEMY_PUBLIC_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += f"%3A{parts.port}"
    return f"did:web:{host}"


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def holder_id(certificate: Certificate) -> str:
    """An opaque, stable identifier of the certificate's holder (the same for all
    their certificates; it reveals nothing about them)."""
    return f"urn:uuid:{uuid.uuid5(HOLDER_NAMESPACE, f'holder:{certificate.user_id}')}"


def status_list_url(number: int) -> str:
    return public_url(f"/verify/status/{number}/")


def achievement_url(course_key: str, version: str) -> str:
    return public_url(f"/achievements/{course_key}/{version}")


def criteria_narrative(certificate: Certificate) -> str:
    """What earning this certificate took, from the rules it was issued under."""
    r = certificate.requirements or {}
    parts = [
        "Completed every module of the course and passed its certifying assessment"
    ]
    scenarios, questions = r.get("scenarios"), r.get("questions")
    if scenarios:
        parts.append(
            f": {scenarios} branching scenario{'s' if scenarios != 1 else ''} of the "
            f"work, each passed with at least {r.get('scenario_pass_percent')}% of "
            "the best path's points and no harmful or critical choice"
        )
    if questions:
        parts.append(
            f"{' and' if scenarios else ':'} {questions} questions drawn for the "
            f"learner's jurisdiction, at least {r.get('knowledge_pass_percent')}% "
            "answered right"
        )
    text = "".join(parts) + "."
    held = r.get("prerequisites") or []
    if held:
        names = ", ".join(f"{p['title']} (version {p['version']})" for p in held)
        text += f" Open only to holders of a valid certificate of {names}."
    return text


def alignment(certificate: Certificate) -> dict:
    """The achievement's alignment to the achievements it builds on (e.g. a role
    course to Foundations), as OB 3.0 Alignment objects; none for a course without
    prerequisites."""
    held = (certificate.requirements or {}).get("prerequisites") or []
    if not held:
        return {}
    return {
        "alignment": [
            {
                "type": ["Alignment"],
                "targetType": "ceterms:Credential",
                "targetName": p["title"],
                "targetDescription": (
                    f"Builds on {p['title']}, version {p['version']}: a valid "
                    "certificate of it is required before the certifying assessment "
                    "opens."
                ),
                "targetUrl": achievement_url(p["key"], p["version"]),
                "targetCode": p["key"],
            }
            for p in held
        ]
    }


def credential_json(certificate: Certificate) -> dict:
    verify = public_url(f"/verify/{certificate.code}/")
    status_list = status_list_url(certificate.status_list)
    return {
        "@context": CONTEXT,
        "id": verify + "credential.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course_title,
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": settings.WAGTAIL_SITE_NAME,
            "url": public_url("/"),
        },
        "validFrom": _iso(certificate.valid_from),
        "validUntil": _iso(certificate.expires_at),
        "credentialSubject": {
            "id": holder_id(certificate),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": achievement_url(
                    certificate.course_key, certificate.course_version
                ),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": (
                    f"{certificate.course_title}, version "
                    f"{certificate.course_version}: {certificate.contact_hours} "
                    "contact hours of trauma-informed training, with a "
                    "scenario-based certifying assessment."
                ),
                "criteria": {"narrative": criteria_narrative(certificate)},
                **alignment(certificate),
                "humanCode": certificate.course_key,
                "inLanguage": certificate.language,
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{certificate.status_list_position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_position),
            "statusListCredential": status_list,
        },
    }


def organisation_holder_id(certificate: OrganisationCertificate) -> str:
    """A stable, opaque identifier of the certified organisation."""
    return f"urn:uuid:{uuid.uuid5(HOLDER_NAMESPACE, f'org:{certificate.holder_ref}')}"


def standard_achievement_key(certificate: OrganisationCertificate) -> str:
    """The key of a standard at one level, e.g. "workplace-distinction"."""
    return f"{certificate.standard_key}-{certificate.level}"


def standard_achievement_url(certificate: OrganisationCertificate) -> str:
    return achievement_url(
        standard_achievement_key(certificate), certificate.standard_version
    )


def organisation_credential_json(certificate: OrganisationCertificate) -> dict:
    """The organisation's certificate as an Open Badges 3.0 credential: the
    organisation is the subject, the achievement the standard at its level, the
    domains met are its results; nothing of the evidence."""
    verify = public_url(f"/verify/{certificate.code}/")
    status_list = status_list_url(certificate.status_list)
    level = certificate.get_level_display()
    domains = ", ".join(d["title"] for d in certificate.domains_met)
    return {
        "@context": CONTEXT,
        "id": verify + "credential.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.standard_title}: {level}",
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": settings.WAGTAIL_SITE_NAME,
            "url": public_url("/"),
        },
        "validFrom": _iso(certificate.valid_from),
        "validUntil": _iso(certificate.valid_until),
        "credentialSubject": {
            "id": organisation_holder_id(certificate),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": standard_achievement_url(certificate),
                "type": ["Achievement"],
                "achievementType": "QualityAssuranceCredential",
                "name": f"{certificate.standard_title}: {level}",
                "description": (
                    "An organisation certified against the "
                    f"{certificate.standard_title} standard, version "
                    f"{certificate.standard_version}: it hires and keeps people who "
                    "experienced trafficking without causing them further harm. "
                    f"Domains met: {domains}."
                ),
                "criteria": {
                    "narrative": (
                        "The organisation answered every criterion of the standard "
                        "with a statement and evidence; academy assessors reviewed "
                        "the evidence and accepted every required criterion"
                        + (
                            " and every recommended one"
                            if certificate.level
                            == OrganisationCertificate.Level.DISTINCTION
                            else ""
                        )
                        + ". Its managers and the supervisors of people hired through "
                        "survivor-employment partnerships hold valid training "
                        "certificates as the standard requires. A senior manager "
                        "attests each year that nothing material has changed."
                    )
                },
                "humanCode": f"{certificate.standard_key}-{certificate.level}",
                "inLanguage": certificate.language,
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{certificate.status_list_position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_position),
            "statusListCredential": status_list,
        },
    }


def organisation_credential_jwt(certificate: OrganisationCertificate) -> str:
    vc = organisation_credential_json(certificate)
    return jws_compact(
        {
            "iss": issuer_did(),
            "sub": vc["credentialSubject"]["id"],
            "jti": vc["id"],
            "nbf": int(certificate.valid_from.timestamp()),
            "iat": int(certificate.issued_at.timestamp()),
            "exp": int(certificate.valid_until.timestamp()),
            "vc": vc,
        }
    )


def jws_compact(payload: dict, *, typ: str = "JWT") -> str:
    """The payload signed RS256 with the active key; the kid names it in did.json."""
    key = signing_key_active()
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return sign_compact({"typ": typ, "kid": f"{issuer_did()}#{key.kid}"}, body, key)


def credential_jwt(certificate: Certificate) -> str:
    """The Open Badges 3.0 VC-JWT: the registered claims the spec's VC-JWT profile
    asks for (iss, sub, jti, nbf, exp, iat) and the credential (without an embedded
    proof: the JWS secures it) in `vc`."""
    vc = credential_json(certificate)
    claims = {
        "iss": issuer_did(),
        "sub": vc["credentialSubject"]["id"],
        "jti": vc["id"],
        "nbf": int(certificate.valid_from.timestamp()),
        "iat": int(certificate.issued_at.timestamp()),
        "exp": int(certificate.expires_at.timestamp()),
        "vc": vc,
    }
    return jws_compact(claims)


def credential_sign(
    document: dict, *, key: SigningKey | None = None, created=None
) -> dict:
    """Any credential the academy issues (a certificate, a status list, an
    organisation's certificate), with an embedded Data Integrity proof
    (eddsa-rdfc-2022) by the active Ed25519 key that did.json publishes. The
    document's contexts must be among those bundled (proofs.CONTEXTS)."""
    return proof_sign(document, issuer=issuer_did(), key=key, created=created)


def credential_signed(certificate: Certificate) -> dict:
    """credential.json: the Open Badges credential with its proof."""
    return credential_sign(credential_json(certificate))


def did_document() -> dict:
    """Every generation's public keys, retired ones too (older credentials name
    them): the RSA key as JsonWebKey2020 (VC-JWT), the Ed25519 key as Multikey
    (Data Integrity proofs)."""
    did = issuer_did()
    signing_key_active()  # make sure there is one to publish
    methods: list[dict] = []
    for key in SigningKey.objects.order_by("created_at"):
        methods.append(
            {
                "id": f"{did}#{key.kid}",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": key.public_jwk,
            }
        )
        if key.ed25519_public:
            methods.append(
                {
                    "id": verification_method_id(did, key),
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": key.ed25519_public,
                }
            )
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def encoded_status_list(number: int) -> str:
    """The revoked bits of one list, gzip-compressed and base64url-encoded with the
    multibase 'u' prefix; bit 0 is the left-most bit of the first byte."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    start = number * STATUS_LIST_SIZE
    in_list = {
        "status_index__gte": start,
        "status_index__lt": start + STATUS_LIST_SIZE,
        "revoked_at__isnull": False,
    }
    revoked = [
        *Certificate.objects.filter(**in_list).values_list("status_index", flat=True),
        *OrganisationCertificate.objects.filter(**in_list).values_list(
            "status_index", flat=True
        ),
    ]
    for index in revoked:
        position = index - start
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def status_list_jwt(number: int) -> str:
    """The status list as a signed VC-JWT (iss, jti, nbf, iat and `vc`)."""
    vc = status_list_credential(number)
    now = int(timezone.now().timestamp())
    return jws_compact(
        {"iss": issuer_did(), "jti": vc["id"], "nbf": now, "iat": now, "vc": vc}
    )


def status_list_signed(number: int) -> dict:
    """The status list as a credential with an embedded Data Integrity proof (what
    JSON-LD verifiers such as the DCC's fetch)."""
    return credential_sign(status_list_credential(number))


def status_list_credential(number: int) -> dict:
    url = status_list_url(number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_status_list(number),
        },
    }
