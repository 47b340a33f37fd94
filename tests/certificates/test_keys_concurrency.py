"""Two app servers that both need the first signing key at the same moment (a new
development site) end up with one key, not a server error."""

import os
import threading

import pytest
from django.db import connections

from academy.certificates.keys import signing_key_active
from academy.certificates.models import SigningKey


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="Concurrent writers need PostgreSQL: CI runs this test there.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_uses_at_once_make_one_key(settings, tmp_path):
    settings.ACADEMY_SIGNING_KEY_DIR = str(tmp_path / "keys")
    settings.ACADEMY_SIGNING_KEY_AUTOCREATE = True
    barrier = threading.Barrier(2)
    kids, errors = [], []

    def first_use():
        try:
            barrier.wait()
            kids.append(signing_key_active().kid)
        except Exception as error:  # reported below, with the test's verdict
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    (key,) = SigningKey.objects.all()
    assert kids == [key.kid, key.kid]
    # One generation's two private files (RSA, Ed25519); the loser's were removed.
    assert key.ed25519_public
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        f"{key.kid}.ed25519.pem",
        f"{key.kid}.pem",
    ]
