"""An employer's workplace certificate, checked by the Digital Credentials
Consortium's verifier like a person's: signature, status, expiry."""

import pytest

from ..certificates.test_dcc_verifier import _credential, _steps, _verify
from .test_lifecycle import certify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_workplace_certificate_verifies(
    live_server, client, standard, employer, hr, assessor
):
    certificate = certify(employer, hr, assessor).certificate
    credential = _credential(client, certificate)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == (
        "Harbour Logistics"
    )
    steps = _steps(_verify(live_server, credential, "workplace"))
    assert steps["valid_signature"]["valid"] is True
    assert steps["revocation_status"]["valid"] is True
    assert steps["expiration"]["valid"] is True
