"""Regression tests for the December 2026 security review (../shared/reference/
reviews/security-2026-12.md), finding by finding. Each fails on commit 75f6939."""

import io
import os
import re
import stat
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from academy.certificates import keys
from academy.certificates.models import SigningKey
from academy.core.http import client_address
from academy.core.markdown import render_markdown
from academy.core.ratelimit import hit
from academy.curriculum.lessons import check_markdown, markdown_to_html

from .. import factories

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------
# M3: the eight Markdown payloads of the review, each harmless everywhere.

PAYLOADS = [
    "[Read the guidance first](javascript:alert(document.domain))",
    "[x](JaVaScRiPt:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<script>alert(1)</script>",
    "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))",
    '![i](x" onerror="alert(1))',
]


DANGER = re.compile(
    r"""<a\b[^>]*href=["']?\s*(javascript|data|vbscript):"""
    r"""|<script\b|<img\b|<iframe\b|<[a-z][^>]*\son[a-z]+\s*=""",
    re.IGNORECASE,
)


def _harmless(html: str) -> bool:
    """No live link to script or data, no script, image or frame, no handler
    attribute: text that merely mentions "javascript:" is harmless."""
    return DANGER.search(html) is None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_from_editors_cannot_carry_script(payload):
    assert _harmless(str(render_markdown(payload))), render_markdown(payload)
    assert _harmless(markdown_to_html(payload))


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_content_files_refuse_links_that_are_not_web_addresses(payload):
    assert check_markdown(payload) is not None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_feedback_and_the_admin_preview_render_payloads_harmlessly(
    client, course_page, modules, payload
):
    """Scenario text reaches learners (feedback) and reviewers (the draft preview)."""
    from django.core.management import call_command

    from academy.assessments.models import ScenarioPage
    from academy.core.models import User

    assessment = factories.make_assessment(course=course_page)
    scenario = ScenarioPage.objects.get(content_key="corridor")
    scenario.intro_en = payload
    steps = list(scenario.steps.all())
    steps[0].narrative_en = payload
    scenario.save_revision().publish()
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="admin@example.org"))
    preview = client.get(f"/admin/pages/{scenario.pk}/view_draft/")
    assert preview.status_code == 200
    assert _harmless(preview.content.decode().split("<main", 1)[-1])
    assert assessment  # the learner-side rendering uses the same filter (md)


# ---------------------------------------------------------------------------
# M4: sign-in locks out per account and per address, kindly.


def _sign_in(client, email, password):
    return client.post("/en/accounts/sign-in/", {"email": email, "password": password})


def test_repeated_failures_lock_the_account_with_a_kind_message(client, learner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, learner.email, "wrong-guess").status_code == 200
    assert _sign_in(client, learner.email, "wrong-guess").status_code == 429
    response = _sign_in(client, learner.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_locked_out_too(client, learner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": learner.email, "password": "nope"})
    response = client.post(
        "/admin/login/", {"username": learner.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked_out(client, learner):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"someone{n}@example.org", "guess")
    response = _sign_in(client, learner.email, factories.PASSWORD)
    assert response.status_code == 429


def test_password_reset_emails_are_limited_per_address(client, learner):
    for _ in range(settings.ACADEMY_EMAILS_PER_ADDRESS + 3):
        response = client.post("/en/accounts/password/reset/", {"email": learner.email})
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == settings.ACADEMY_EMAILS_PER_ADDRESS


# ---------------------------------------------------------------------------
# M5: the client address, and a limit that is counted exactly.


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.7", "198.51.100.7"),  # the balancer's view of the client
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a spoofed hop is ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer hops than proxies: not through them
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    rf, proxies, forwarded, expected
):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(ACADEMY_TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected


def test_behind_a_proxy_each_client_has_its_own_verify_limit(client):
    with override_settings(ACADEMY_TRUSTED_PROXY_COUNT=1, ACADEMY_VERIFY_RATE_LIMIT=3):
        for _ in range(3):
            r = client.get("/verify/AAAA/", HTTP_X_FORWARDED_FOR="203.0.113.1")
            assert r.status_code != 429
        noisy = client.get("/verify/AAAA/", HTTP_X_FORWARDED_FOR="203.0.113.1")
        other = client.get("/verify/AAAA/", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert noisy.status_code == 429 and other.status_code != 429


def test_a_bulk_file_counts_each_code(client):
    codes = "code\n" + "\n".join("ABCD-EFGH-JKMN-PQRS-T" for _ in range(12))
    upload = io.BytesIO(codes.encode())
    upload.name = "codes.csv"
    with override_settings(ACADEMY_VERIFY_RATE_LIMIT=10):
        response = client.post("/verify/bulk/", {"file": upload})
    assert response.status_code == 429  # 12 lookups > 10


def test_the_counter_counts_every_hit():
    results = [hit("test-key", limit=3) for _ in range(5)]
    assert [r.count for r in results] == [1, 2, 3, 4, 5]
    assert [r.allowed for r in results] == [True, True, True, False, False]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="threads share one in-memory SQLite database; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_eighty_parallel_lookups_against_thirty_let_exactly_thirty_through():
    allowed = []
    barrier = threading.Barrier(8)

    def lookups():
        barrier.wait()
        for _ in range(10):
            allowed.append(hit("parallel:203.0.113.9", limit=30).allowed)
        connection.close()

    threads = [threading.Thread(target=lookups) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 80 and sum(allowed) == 30


# ---------------------------------------------------------------------------
# L3, L4, L5, L11, L12, I3, I4, I5, I1.


def test_certificate_pdfs_have_no_public_address(client, settings, tmp_path):
    from django.core.files.base import ContentFile

    from academy.core.storage import private_storage

    name = private_storage().save("certificates/TEST.pdf", ContentFile(b"%PDF-1.4"))
    assert not str(private_storage().path(name)).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public address"):
        private_storage().url(name)
    assert client.get("/media/certificates/TEST.pdf", follow=True).status_code == 404


def test_key_files_are_private_from_the_first_byte(settings, tmp_path):
    settings.ACADEMY_SIGNING_KEY_DIR = tmp_path / "keys"
    key = keys.signing_key_create()
    folder = tmp_path / "keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{key.kid}.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / f"{key.kid}.ed25519.pem").stat().st_mode) == 0o600
    assert key.ed25519_public.startswith("z6Mk")


def test_a_key_directory_others_can_read_is_refused(settings, tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    settings.ACADEMY_SIGNING_KEY_DIR = loose
    with pytest.raises(keys.KeyUnavailable, match="chmod 700"):
        keys.signing_key_create()
    assert not list(loose.iterdir()) and not SigningKey.objects.exists()


def test_no_orphan_key_file_when_the_database_refuses(settings, tmp_path, monkeypatch):
    settings.ACADEMY_SIGNING_KEY_DIR = tmp_path / "keys"

    def refuse(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(SigningKey.objects, "create", refuse)
    with pytest.raises(RuntimeError):
        keys.signing_key_create()
    assert list((tmp_path / "keys").iterdir()) == []


def test_signing_does_not_reload_the_key_file_each_time(settings, tmp_path):
    settings.ACADEMY_SIGNING_KEY_DIR = tmp_path / "keys"
    key = keys.signing_key_create()
    keys._load_private.cache_clear()
    for _ in range(5):
        keys.sign_compact({"typ": "JWT"}, b"{}", key)
    assert keys._load_private.cache_info().misses == 1


def test_status_indexes_open_a_new_list_at_half_full(monkeypatch):
    from academy.certificates import services

    monkeypatch.setattr(services, "STATUS_LIST_SIZE", 8)
    assert services.status_list_count() == 1
    # Every credential, a person's or an organisation's, takes a slot.
    monkeypatch.setattr(services.CredentialSlot.objects, "count", lambda: 4)
    assert services.status_list_count() == 2


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client):
    with override_settings(ACADEMY_REQUEST_MAX_BYTES=1000):
        response = client.post(
            "/verify/file/",
            data=b"x" * 2000,
            content_type="application/octet-stream",
        )
    assert response.status_code == 413
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * 1024 * 1024


def test_the_django_admin_is_gone(client):
    assert client.get("/django-admin/", follow=True).status_code == 404


def test_did_json_answers_503_without_a_key(client, settings):
    settings.ACADEMY_SIGNING_KEY_AUTOCREATE = False
    response = client.get("/.well-known/did.json")
    assert response.status_code == 503 and response["Retry-After"]
    from academy.certificates.checks import signing_keys_ready

    assert [w.id for w in signing_keys_ready()] == ["academy.W001"]


def test_head_healthz_works(client):
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize(
    "path", ["/en/", "/en/courses/", "/verify/", "/en/accounts/sign-in/"]
)
def test_every_page_carries_the_security_policies(client, home_page, path):
    response = Client().get(path, follow=True)
    policy = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert 'style="' not in response.content.decode()
    assert "<script>" not in response.content.decode()
