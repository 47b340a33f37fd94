"""Two gunicorn app servers on two loopback ports over one PostgreSQL, with the
production settings: nothing a person relies on lives in one server's memory."""

import base64
import hashlib
import json
import threading
import time

import pytest
from django.conf import settings
from django.utils import translation
from joserfc import jwt
from joserfc.jwk import RSAKey

from academy.assessments.models import Attempt, AttemptAnswer
from academy.certificates.keys import signing_key_create
from academy.certificates.models import Certificate, SigningKey
from academy.core.models import AuditEvent
from academy.organisations.reminders import reminders_plan
from ops import servers

from ..assessments.conftest import assessment, ready_learner  # noqa: F401
from .conftest import ON_POSTGRESQL, TRANSACTIONAL, Browser, text_of

pytestmark = [ON_POSTGRESQL, TRANSACTIONAL]


def at_once(*calls):
    """Run the calls in threads released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_session_started_on_one_server_works_on_the_other(cluster, learner):
    browser = Browser()
    browser.sign_in(cluster.a, learner)
    dashboard = browser.get(cluster.b, "/en/dashboard/")
    assert dashboard.status_code == 200  # not a redirect to sign in
    assert "Sign out" in dashboard.text
    # A message stored by one server is shown by the other.
    saved = browser.post(
        cluster.a,
        "/en/accounts/profile/",
        {
            "full_name": "Alex Rivera-Moreno",
            "preferred_language": "en",
            "jurisdiction": "us",
            "time_zone": "UTC",
        },
    )
    assert saved.status_code == 302, text_of(saved)[:500]
    profile = browser.get(cluster.b, "/en/accounts/profile/")
    assert "Your profile is saved." in profile.text
    assert "Alex Rivera-Moreno" in profile.text
    # Signing out on B ends the session on A too.
    browser.post(cluster.b, "/en/accounts/sign-out/")
    assert browser.get(cluster.a, "/en/dashboard/").status_code == 302


def test_the_verify_rate_limit_counts_across_both_servers(cluster, db):
    if time.time() % 60 > 45:  # keep the 40 lookups inside one minute's window
        time.sleep(61 - time.time() % 60)
    browser = Browser()
    statuses = {"a": [], "b": []}
    for i in range(40):
        name, server = ("a", cluster.a) if i % 2 == 0 else ("b", cluster.b)
        statuses[name].append(browser.get(server, "/verify/0000-0000-0000-0000-0/"))
    codes = [r.status_code for name in "ab" for r in statuses[name]]
    limit = settings.ACADEMY_VERIFY_RATE_LIMIT
    assert codes.count(429) == 40 - limit
    # Each server refused once the two together had reached the limit.
    assert [r.status_code for r in statuses["a"]].count(429) == (40 - limit) // 2
    assert [r.status_code for r in statuses["b"]].count(429) == (40 - limit) // 2
    assert "Retry-After" in statuses["b"][-1].headers


def test_both_servers_sign_with_the_key_in_the_shared_directory(
    cluster, certificate_on_cluster
):
    code = certificate_on_cluster[0].code
    browser = Browser()
    tokens = [
        browser.get(s, f"/verify/{code}/credential.jwt").text
        for s in (cluster.a, cluster.b)
    ]
    documents = [
        browser.get(s, "/.well-known/did.json").json() for s in (cluster.b, cluster.a)
    ]
    assert documents[0] == documents[1]
    (key,) = SigningKey.objects.all()
    assert (cluster.key_dir / f"{key.kid}.pem").exists()
    for token, document in zip(tokens, documents, strict=True):
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        method = next(
            m for m in document["verificationMethod"] if m["id"] == header["kid"]
        )
        decoded = jwt.decode(
            token, RSAKey.import_key(method["publicKeyJwk"]), algorithms=["RS256"]
        )
        assert header["kid"].endswith(f"#{key.kid}")
        assert decoded.claims["vc"]["credentialSubject"]["achievement"]["name"]


def test_a_reminder_goes_out_once_when_both_servers_send_reminders_at_once(
    cluster, organisation_with_overdue_people
):
    planned = reminders_plan()
    assert len(planned) >= 6
    before = servers.mail_count(cluster.mail_dir)

    queued = at_once(
        lambda: servers.manage(cluster.env, "send_reminders"),
        lambda: servers.manage(cluster.env, "send_reminders"),
    )
    assert all(q.returncode == 0 for q in queued), [q.stderr for q in queued]
    # Each server's cron queued the plan; each server's worker drains the queue.
    workers = at_once(
        *[
            lambda: servers.manage(
                cluster.env, "db_worker", "--backend", "academy", "--batch"
            )
        ]
        * 2
    )
    assert all(w.returncode == 0 for w in workers), [w.stderr for w in workers]

    assert servers.mail_count(cluster.mail_dir) - before == len(planned)
    again = servers.manage(cluster.env, "send_reminders")
    assert "Queued 0 reminder(s)." in again.stdout


@pytest.fixture
def certificate_on_cluster(cluster, settings, ready_learner, assessment):  # noqa: F811
    """A learner who passes the assessment through the two servers, in turns, and
    sends the final answer to both at once (a double click split by the balancer)."""
    settings.ACADEMY_SIGNING_KEY_DIR = str(cluster.key_dir)
    signing_key_create()
    browser = Browser()
    browser.sign_in(cluster.a, ready_learner)
    with translation.override("en"):
        base = assessment.url
    assert (
        browser.post(cluster.b, f"{base}start/", {"own_work": "yes"}).status_code == 302
    )
    attempt = Attempt.objects.get(user=ready_learner)
    items = [(f"q:{q['key']}", "a") for q in attempt.snapshot["questions"]]
    items += [("s:corridor:arrive", "ask")]
    for n, (item, answer) in enumerate(items):
        server = cluster.a if n % 2 else cluster.b
        answered = browser.post(
            server, f"{base}attempts/1/answer/", {"item": item, "answer": answer}
        )
        assert answered.status_code == 302, text_of(answered)[:500]
        assert (
            browser.post(
                server, f"{base}attempts/1/continue/", {"item": item}
            ).status_code
            == 302
        )

    final = "s:corridor:refer"
    answered = at_once(
        lambda: browser.post(
            cluster.a,
            f"{base}attempts/1/answer/",
            {"item": final, "answer": "refer-well"},
        ),
        lambda: browser.post(
            cluster.b,
            f"{base}attempts/1/answer/",
            {"item": final, "answer": "refer-well"},
        ),
    )
    assert sorted(r.status_code for r in answered) == [302, 409]
    continued = at_once(
        lambda: browser.post(cluster.a, f"{base}attempts/1/continue/", {"item": final}),
        lambda: browser.post(cluster.b, f"{base}attempts/1/continue/", {"item": final}),
    )
    assert sorted(r.status_code for r in continued) == [302, 409]
    return Certificate.objects.get(), browser


def test_a_certificate_is_issued_once_when_both_servers_get_the_final_answer(
    cluster, certificate_on_cluster
):
    certificate, browser = certificate_on_cluster
    attempt = Attempt.objects.get()
    assert attempt.passed and attempt.submitted_at is not None
    assert (
        AttemptAnswer.objects.filter(
            attempt=attempt, item_key="s:corridor:refer"
        ).count()
        == 1
    )
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1

    # Its PDF is in the bucket, and either server hands it to its holder.
    stored = (
        servers.s3_client(cluster.s3_endpoint)
        .get_object(Bucket=cluster.bucket, Key=certificate.pdf.name)["Body"]
        .read()
    )
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    for server in (cluster.a, cluster.b):
        download = browser.get(
            server, f"/en/dashboard/certificates/{certificate.code}.pdf"
        )
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == certificate.pdf_sha256


def test_a_stopped_database_gets_a_plain_503_page(cluster, tmp_path):
    """A server whose PostgreSQL does not answer (nothing listens on its port)."""
    env = {
        **cluster.env,
        "DATABASE_URL": f"postgres://academy:academy@127.0.0.1:{servers.free_port()}/academy",
    }
    server = servers.start_app_server(env, tmp_path, "app-no-db", workers=1, threads=1)
    try:
        browser = Browser()
        page = browser.get(server, "/en/")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert "The academy is back in a moment" in page.text
        assert "Traceback" not in page.text
        # The sign-in form needs no records; signing in does.
        assert browser.get(server, "/en/accounts/sign-in/").status_code == 200
        sign_in = browser.post(
            server,
            "/en/accounts/sign-in/",
            {"email": "learner@example.org", "password": "x"},
        )
        assert sign_in.status_code == 503
        assert "The academy is back in a moment" in sign_in.text
        health = browser.get(server, "/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "unavailable", "database": "unreachable"}
    finally:
        server.stop()
