"""Signing keys. The private key of each is a PEM file in ACADEMY_SIGNING_KEY_DIR,
named <kid>.pem; the database keeps only public halves. In development the first key
is made on first use; in production the directory is required and backed up (README)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from academy.core.exceptions import ApplicationError

from .models import SigningKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _uint(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def public_jwk(private_key) -> dict:
    numbers = private_key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "n": _uint(numbers.n),
        "e": _uint(numbers.e),
        "alg": "RS256",
        "use": "sig",
    }


def thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint: the key id."""
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64url(hashlib.sha256(canonical.encode()).digest())


def key_dir() -> Path:
    return Path(settings.ACADEMY_SIGNING_KEY_DIR)


def _private_path(kid: str) -> Path:
    return key_dir() / f"{kid}.pem"


@transaction.atomic
def signing_key_create() -> SigningKey:
    """Make a new key, write its private half to the key directory, and make it the
    one new credentials are signed with. Earlier keys stay published."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    jwk = public_jwk(private_key)
    kid = thumbprint(jwk)
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _private_path(kid)
    path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    now = timezone.now()
    SigningKey.objects.filter(active=True).update(active=False, retired_at=now)
    return SigningKey.objects.create(kid=kid, public_jwk={**jwk, "kid": kid})


def signing_key_active() -> SigningKey:
    key = SigningKey.objects.filter(active=True).first()
    if key is not None:
        return key
    if not settings.ACADEMY_SIGNING_KEY_AUTOCREATE:
        raise ApplicationError(
            "No signing key: run `manage.py signing_keys --rotate` once, and keep "
            "ACADEMY_SIGNING_KEY_DIR backed up."
        )
    return signing_key_create()


def sign(data: bytes, key: SigningKey) -> bytes:
    path = _private_path(key.kid)
    if not path.exists():
        raise ApplicationError(f"The private key {key.kid} is not in {key_dir()}.")
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify(data: bytes, signature: bytes, jwk: dict) -> bool:
    """Check an RS256 signature with a published JWK (what any verifier does)."""
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    public_key = rsa.RSAPublicNumbers(e, n).public_key()
    try:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
