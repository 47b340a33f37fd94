"""Signing keys. The private key of each is a PEM file in ACADEMY_SIGNING_KEY_DIR,
named <kid>.pem; the database keeps only public halves. In development the first key
is made on first use; in production the directory is required and backed up (README).

JWS, JWK and RFC 7638 thumbprints come from joserfc (a maintained JOSE library);
this module only decides where keys live and who may read them."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import RSAKey

from academy.core.exceptions import ApplicationError

from .models import SigningKey

KEY_SIZE = 3072
ALGORITHM = "RS256"


class KeyUnavailable(ApplicationError):
    """No key to sign with: an operator's job, so the public answer is a 503."""

    status = 503


def key_dir() -> Path:
    return Path(settings.ACADEMY_SIGNING_KEY_DIR)


def _private_path(kid: str) -> Path:
    return key_dir() / f"{kid}.pem"


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
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # whatever the umask made of it
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
    """Make a new key, write its private half to the key directory, and make it the
    one new credentials are signed with. Earlier keys stay published. If the
    database part fails, the private file is removed again: no orphans.

    rotate=False makes the first key only: it retires nothing, so a concurrent
    first key (another app server) makes this one fail on the one-active-key
    constraint instead of quietly replacing it."""
    folder = key_dir_ensure()
    key = RSAKey.generate_key(KEY_SIZE)
    kid = key.thumbprint()
    path = folder / f"{kid}.pem"
    _write_private(path, key.as_pem(private=True))
    try:
        with transaction.atomic():
            now = timezone.now()
            if rotate:
                SigningKey.objects.filter(active=True).update(
                    active=False, retired_at=now
                )
            return SigningKey.objects.create(
                kid=kid, public_jwk={**public_jwk(key), "kid": kid}
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


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
