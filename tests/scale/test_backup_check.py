"""`manage.py backup_check` on a small site: PostgreSQL dumped and restored into a
fresh database, the private bucket copied into a fresh bucket (the real S3 API
server), the keys copied, and every certificate checked from the restored copy."""

from pathlib import Path

import pytest

from academy.certificates.keys import signing_key_create
from academy.certificates.models import Certificate
from academy.certificates.services import certificate_revoke
from ops import servers

from .. import factories
from ..assessments.conftest import Taker, assessment, ready_learner  # noqa: F401
from ..certificates.conftest import pass_assessment
from .conftest import ON_POSTGRESQL, TRANSACTIONAL, shared_database_url

pytestmark = [ON_POSTGRESQL, TRANSACTIONAL]


@pytest.fixture
def site(settings, private_s3, s3_server, tmp_path, client, ready_learner, assessment):  # noqa: F811
    """A revoked certificate with its PDF in the bucket, and a signing key."""
    key_dir = tmp_path / "keys"
    key_dir.mkdir(mode=0o700)
    settings.ACADEMY_SIGNING_KEY_DIR = str(key_dir)
    signing_key_create()
    client.force_login(ready_learner)
    pass_assessment(Taker(client, assessment))
    first = Certificate.objects.get()
    certificate_revoke(
        certificate=first,
        by=factories.make_user(is_superuser=True),
        reason="Issued in error",
    )
    env = servers.production_env(
        database_url=shared_database_url(),
        key_dir=key_dir,
        mail_dir=tmp_path,
        extra=servers.s3_env(s3_server, private_s3),
    )
    return env, first


def test_a_backup_restores_and_every_certificate_checks_out(site):
    env, _certificate = site
    result = servers.manage(env, "backup_check")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    # One generation: its RSA key (VC-JWT) and its Ed25519 key (Data Integrity).
    assert "1 private file(s), 2 signing key file(s)" in out
    assert (
        "restored certificates: 1, PDFs matching their SHA-256: 1, "
        "credentials verified with did.json: 1" in out
    )
    assert "backup check passed" in out
    # Nothing is left behind: no restored database, no extra bucket.
    buckets = servers.s3_client(env["ACADEMY_S3_ENDPOINT_URL"]).list_buckets()
    assert not [b for b in buckets["Buckets"] if "-restore-" in b["Name"]]


def test_a_backup_missing_a_pdf_fails_the_check_and_names_it(site):
    env, certificate = site
    servers.s3_client(env["ACADEMY_S3_ENDPOINT_URL"]).delete_object(
        Bucket=env["ACADEMY_S3_BUCKET"], Key=certificate.pdf.name
    )
    result = servers.manage(env, "backup_check")
    assert result.returncode != 0
    assert (
        f"PROBLEM {certificate.code}: PDF file missing from the restored storage"
        in result.stdout
    )
    assert "The restored copy failed the check." in result.stderr


def test_a_backup_without_the_ed25519_key_fails_the_check_and_names_it(site):
    env, certificate = site
    (ed25519,) = Path(env["ACADEMY_SIGNING_KEY_DIR"]).glob("*.ed25519.pem")
    ed25519.unlink()
    result = servers.manage(env, "backup_check")
    assert result.returncode != 0
    assert (
        f"PROBLEM {certificate.code}: cannot add the Data Integrity proof"
        in result.stdout
    )
