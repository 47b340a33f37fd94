"""Our credentials in the hands of an outside verifier: the Digital Credentials
Consortium's `@digitalcredentials/verifier-core` (the library behind the Learner
Credential Wallet and the DCC's public verifier), run by Node against a live test
server. It resolves our did:web and fetches our status list there; it never reaches
the network (tests/dcc/verify.mjs refuses and reports anything else).

Each verifier answer is also written to test-output/dcc/<case>.json."""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from academy.certificates.models import Certificate
from academy.certificates.proofs import CONTEXTS
from academy.certificates.services import certificate_revoke
from academy.core.models import User

ROOT = Path(__file__).resolve().parents[2]
DCC = ROOT / "tests" / "dcc"
OUTPUT = Path(os.environ.get("ACADEMY_TEST_OUTPUT", ROOT / "test-output")) / "dcc"
ORIGIN = "https://academy.test"  # ACADEMY_PUBLIC_URL in the test settings
SCHEMA = ROOT / "tests" / "fixtures" / "ob3" / "achievementcredential.schema.json"
# The schema the verifier assumes for an OpenBadgeCredential (its additional check).
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _verify(live_server, credential: dict, case: str) -> dict:
    node = shutil.which("node")
    if node is None or not (DCC / "node_modules" / "@digitalcredentials").exists():
        pytest.fail(
            "The DCC verifier is not installed: install Node (apt-get install nodejs "
            "npm), then run `npm ci` in tests/dcc (make test does)."
        )
    documents = {url: str(path) for url, path in CONTEXTS.items()}
    documents[SCHEMA_URL] = str(SCHEMA)
    run = subprocess.run(
        [node, str(DCC / "verify.mjs")],
        input=json.dumps(
            {
                "credential": credential,
                "origin": ORIGIN,
                "server": live_server.url,
                "documents": documents,
            }
        ),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=DCC,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{case}.json").write_text(run.stdout)
    refused = [r["url"] for r in answer["requests"] if r["answered_by"] == "refused"]
    assert not refused, f"the verifier tried to reach the network: {refused}"
    return answer


def _steps(answer: dict) -> dict:
    return {entry["id"]: entry for entry in answer["result"].get("log", [])}


def _credential(client, certificate) -> dict:
    response = client.get(f"/verify/{certificate.code}/credential.json")
    assert response.status_code == 200
    return response.json()


def test_a_fresh_credential_verifies(live_server, client, certificate):
    answer = _verify(live_server, _credential(client, certificate), "fresh")
    assert "errors" not in answer["result"], answer["result"]
    steps = _steps(answer)
    assert steps["valid_signature"]["valid"] is True
    assert steps["expiration"]["valid"] is True
    assert steps["revocation_status"]["valid"] is True
    fetched = {r["url"] for r in answer["requests"] if r["answered_by"] != "refused"}
    # The key came from our did.json, the revocation bit from our status list.
    assert f"{ORIGIN}/.well-known/did.json" in fetched
    assert f"{ORIGIN}/verify/status/{certificate.status_list}/" in fetched


def test_a_revoked_credential_reports_revoked(live_server, client, certificate):
    credential = _credential(client, certificate)
    admin = User.objects.create_superuser(
        email="root@example.org", password="x-long-pass-9", full_name="Admin"
    )
    certificate_revoke(certificate=certificate, by=admin, reason="Issued in error.")
    steps = _steps(_verify(live_server, credential, "revoked"))
    assert steps["valid_signature"]["valid"] is True
    assert steps["revocation_status"]["valid"] is False


def test_a_changed_byte_fails(live_server, client, certificate):
    credential = _credential(client, certificate)
    identifier = credential["credentialSubject"]["identifier"][0]
    assert identifier["identityHash"] == "Alex Rivera"
    identifier["identityHash"] = "Alex Riverb"
    answer = _verify(live_server, credential, "tampered")
    assert [e["name"] for e in answer["result"]["errors"]] == ["invalid_signature"]
    assert "log" not in answer["result"]


def test_an_expired_credential_reports_expired(live_server, client, certificate):
    issued = timezone.now() - timedelta(days=800)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=issued, valid_from=issued, expires_at=issued + timedelta(days=730)
    )
    steps = _steps(_verify(live_server, _credential(client, certificate), "expired"))
    assert steps["valid_signature"]["valid"] is True
    assert steps["expiration"]["valid"] is False
    assert steps["revocation_status"]["valid"] is True


def test_a_proof_made_before_a_rotation_still_verifies(
    live_server, client, certificate
):
    before = _credential(client, certificate)
    call_command("signing_keys", "--rotate", stdout=io.StringIO())
    after = _credential(client, certificate)
    method = before["proof"][0]["verificationMethod"]
    assert method != after["proof"][0]["verificationMethod"]
    steps = _steps(_verify(live_server, before, "before-rotation"))
    assert steps["valid_signature"]["valid"] is True
