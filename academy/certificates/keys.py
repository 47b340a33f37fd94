"""Signing keys. Each generation has two: an RSA key for the VC-JWT and an Ed25519
key for the embedded Data Integrity proof. Their private halves are PEM files in
ACADEMY_SIGNING_KEY_DIR, named <kid>.pem and <kid>.ed25519.pem (kid: the RSA key's
RFC 7638 thumbprint); the database keeps only public halves. In development the first
generation is made on first use; in production the directory is required and backed
up (README).

JWS, JWK and RFC 7638 thumbprints come from joserfc (a maintained JOSE library),
Ed25519 from cryptography, base58 from base58; this module only decides where keys
live and who may read them."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import RSAKey

from academy.core.exceptions import ApplicationError

from .models import SigningKey

KEY_SIZE = 3072
ALGORITHM = "RS256"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded): with base58btc
# ("z") it makes the familiar "z6Mk…" Multikey.
ED25519_PUBLIC_PREFIX = b"\xed\x01"


class KeyUnavailable(ApplicationError):
    """No key to sign with: an operator's job, so the public answer is a 503."""

    status = 503


def key_dir() -> Path:
    return Path(settings.ACADEMY_SIGNING_KEY_DIR)


def _private_path(kid: str) -> Path:
    return key_dir() / f"{kid}.pem"


def _ed25519_path(kid: str) -> Path:
    return key_dir() / f"{kid}.ed25519.pem"


def multikey_encode(public: bytes) -> str:
    """An Ed25519 public key (32 bytes) as a Multikey publicKeyMultibase."""
    return "z" + base58.b58encode(ED25519_PUBLIC_PREFIX + public).decode("ascii")


def multikey_decode(multibase: str) -> bytes:
    """The 32 raw bytes of an Ed25519 Multikey ("z6Mk…")."""
    if not multibase.startswith("z"):
        raise ValueError("Not a base58btc multibase value.")
    data = base58.b58decode(multibase[1:])
    if data[:2] != ED25519_PUBLIC_PREFIX or len(data) != 34:
        raise ValueError("Not an Ed25519 Multikey.")
    return data[2:]


def _ed25519_new() -> tuple[bytes, str]:
    """A new Ed25519 key: (private PEM, public Multikey)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return pem, multikey_encode(public)


def key_dir_problem(folder: Path | None = None) -> str:
    """Why the key directory cannot be trusted ("" when it can): it must exist and
    be closed to the group and everyone else (mode 700)."""
    folder = folder or key_dir()
    if not folder.exists():
        return f"{folder} does not exist"
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        return (
            f"{folder} can be read by others (mode {mode:o}); make it private: "
            f"chmod 700 {folder}"
        )
    return ""


def key_dir_ensure() -> Path:
    """The key directory, made private (700) when this creates it; an existing one
    that others can read is refused, never silently used."""
    folder = key_dir()
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=0o700)
            folder.chmod(0o700)  # whatever the umask made of it
        except FileExistsError:
            pass  # another app server made it a moment ago: checked below
    problem = key_dir_problem(folder)
    if problem:
        raise KeyUnavailable(f"The signing key directory is not safe: {problem}.")
    return folder


def public_jwk(key: RSAKey) -> dict:
    return {**key.as_dict(private=False), "alg": ALGORITHM, "use": "sig"}


def _write_private(path: Path, pem: bytes) -> None:
    """Create the file 0600 from the first byte (never readable by others, even for
    a moment), and refuse to overwrite one that exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def signing_key_create(*, rotate: bool = True) -> SigningKey:
    """Make a new generation of keys (RSA and Ed25519), write their private halves
    to the key directory, and make it the one new credentials are signed with.
    Earlier generations stay published. If the database part fails, the private
    files are removed again: no orphans.

    rotate=False makes the first generation only: it retires nothing, so a
    concurrent first generation (another app server) makes this one fail on the
    one-active-key constraint instead of quietly replacing it."""
    folder = key_dir_ensure()
    key = RSAKey.generate_key(KEY_SIZE)
    kid = key.thumbprint()
    path = folder / f"{kid}.pem"
    ed_path = folder / f"{kid}.ed25519.pem"
    ed_pem, ed_public = _ed25519_new()
    _write_private(path, key.as_pem(private=True))
    try:
        _write_private(ed_path, ed_pem)
        with transaction.atomic():
            now = timezone.now()
            if rotate:
                SigningKey.objects.filter(active=True).update(
                    active=False, retired_at=now
                )
            return SigningKey.objects.create(
                kid=kid,
                public_jwk={**public_jwk(key), "kid": kid},
                ed25519_public=ed_public,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        ed_path.unlink(missing_ok=True)
        raise


@transaction.atomic
def signing_key_ed25519_add(key: SigningKey) -> SigningKey:
    """Give a generation made before Data Integrity proofs its Ed25519 key (the
    active one only: a retired generation signs nothing). Development does this on
    first use; production asks the operator to rotate instead. A private file
    already in the directory (a restored backup, say) is used, not replaced."""
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.ed25519_public:
        return key
    path = key_dir_ensure() / f"{key.kid}.ed25519.pem"
    made = not path.exists()
    if made:
        pem, public = _ed25519_new()
        _write_private(path, pem)
    else:
        raw = ed25519_private_key(key).public_key().public_bytes_raw()
        public = multikey_encode(raw)
    try:
        key.ed25519_public = public
        key.save(update_fields=["ed25519_public"])
    except BaseException:
        if made:
            path.unlink(missing_ok=True)
        raise
    return key


def signing_key_active() -> SigningKey:
    key = SigningKey.objects.filter(active=True).first()
    if key is not None:
        return key
    if not settings.ACADEMY_SIGNING_KEY_AUTOCREATE:
        raise KeyUnavailable(
            "No signing key: run `manage.py signing_keys --rotate` once, and keep "
            "ACADEMY_SIGNING_KEY_DIR backed up."
        )
    try:
        return signing_key_create(rotate=False)
    except IntegrityError:
        # Another app server made the first key at the same moment (one active key
        # is a database constraint; our file was removed again): use theirs.
        return SigningKey.objects.get(active=True)


@lru_cache(maxsize=8)
def _load_private(path: str, mtime_ns: int) -> RSAKey:
    """Parsing and checking a 3,072-bit key takes about 100 ms: do it once per key
    file (and again only if the file changes), not once per signature."""
    return RSAKey.import_key(Path(path).read_bytes())


def private_key(key: SigningKey) -> RSAKey:
    path = _private_path(key.kid)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as error:
        raise KeyUnavailable(
            f"The private key {key.kid} is not in {key_dir()}."
        ) from error
    return _load_private(str(path), mtime)


def sign_compact(header: dict, payload: bytes, key: SigningKey) -> str:
    """A JWS in compact serialisation, RS256, with the key's published kid."""
    return jws.serialize_compact(
        {"alg": ALGORITHM, **header}, payload, private_key(key), algorithms=[ALGORITHM]
    )


def ed25519_key_active() -> SigningKey:
    """The active generation, with its Ed25519 half (made here in development if a
    generation from before Data Integrity proofs lacks one)."""
    key = signing_key_active()
    if key.ed25519_public:
        return key
    if not settings.ACADEMY_SIGNING_KEY_AUTOCREATE:
        raise KeyUnavailable(
            "The active signing key has no Ed25519 half: run "
            "`manage.py signing_keys --rotate` once."
        )
    return signing_key_ed25519_add(key)


@lru_cache(maxsize=8)
def _load_ed25519(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    private = serialization.load_pem_private_key(Path(path).read_bytes(), None)
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyUnavailable(f"{path} is not an Ed25519 key.")
    return private


def ed25519_private_key(key: SigningKey) -> Ed25519PrivateKey:
    path = _ed25519_path(key.kid)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as error:
        raise KeyUnavailable(
            f"The private Ed25519 key of {key.kid} is not in {key_dir()}."
        ) from error
    return _load_ed25519(str(path), mtime)


def ed25519_sign(key: SigningKey, data: bytes) -> bytes:
    """An Ed25519 signature of data with the generation's private key."""
    return ed25519_private_key(key).sign(data)
