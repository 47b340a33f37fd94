"""HTTP benchmark (not a test): the learner's and the public pages served by gunicorn
with production settings, as a share of a bare view measured in the same run.

    make bench-http             # or: .venv/bin/python -m bench.http [--rounds 2] …

It builds a fresh SQLite database in a temporary folder (migrate, load_content,
seed_demo, then a few records for the demo learner: Foundations passed with its
certificate, an attempt waiting on a question, one waiting on a scenario step),
starts gunicorn on loopback (2 sync workers, academy.settings.bench = production
plus the yardstick /bench/bare/, an HttpResponse("ok") behind the same
middleware), signs the demo learner in through the sign-in form, and measures each
page with wrk (-t2 -c8 -d10s by default), bare view first in every round. It prints
requests a second, the ratio to the bare view (the median over the rounds), the
queries each page runs (counted in-process on the same database, cache warm) and the
response size. It does so twice: every page as served (a signed-in learner page seen
again with nothing on it changed comes from the shared cache, core.page_cache), then
the signed-in learner pages as a first view is served (gunicorn restarted so that no
view finds its page kept: each is rendered, then kept), with the person's own rows as
they were at their previous page (their record and memberships come from the cache,
core.page_cache.person_entry; the view right after a change to them builds those
again too).
`--keep DIR` keeps (or reuses) the prepared folder.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

# (label, key in urls.json, signed in?)
PAGES = [
    ("home /en/", "home", True),
    ("catalogue /en/courses/", "catalogue", True),
    ("course page", "course", True),
    ("lesson page", "lesson", True),
    ("My learning", "dashboard", True),
    ("assessment question", "question", True),
    ("scenario step", "step", True),
    ("result", "result", True),
    ("/verify/<code>/", "verify", True),
    ("anon home /en/", "home", False),
    ("anon catalogue", "catalogue", False),
    ("anon /verify/<code>/", "verify", False),
]


def environment(folder: Path, port: int) -> dict[str, str]:
    """What production settings require, pointed at the benchmark's folder."""
    keys = folder / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "DJANGO_SECRET_KEY": (folder / "secret").read_text().strip(),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "ACADEMY_PUBLIC_URL": f"http://{HOST}:{port}",
            "ACADEMY_SIGNING_KEY_DIR": str(keys),
            "ACADEMY_PRIVATE_FILES_DIR": str(folder / "private"),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "ACADEMY_BENCH_STATIC_ROOT": str(folder / "static"),
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str], settings: str) -> None:
    subprocess.run(
        cmd, cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": settings}, check=True
    )


def prepare(folder: Path, env: dict[str, str]) -> None:
    manage = [PYTHON, "manage.py"]
    started = time.perf_counter()
    # Demo data is refused by production settings: the data is made with the
    # development settings, on the same database, and served with the bench ones.
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["update_translation_fields"],
        ["load_content", "-v0"],
        ["seed_demo"],
    ):
        print(f"  manage.py {' '.join(args)}", flush=True)
        subprocess.run(
            manage + args,
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "academy.settings.dev"},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print("  the demo learner's records", flush=True)
    run(
        [PYTHON, "-m", "bench.http", "records", str(folder)],
        env,
        "academy.settings.dev",
    )
    print("  collectstatic", flush=True)
    run(manage + ["collectstatic", "--noinput", "-v0"], env, "academy.settings.bench")
    (folder / "prepared").write_text(f"{time.perf_counter() - started:.0f} s\n")


def records(folder: Path) -> None:
    """The demo learner: Foundations passed (a result and a certificate), the police
    course's assessment open on its first question, the prosecutors' on its first
    scenario step. Written by the same services the pages call."""
    import django

    django.setup()
    import random

    from django.utils import timezone

    from academy.assessments import grading
    from academy.assessments.models import AssessmentPage
    from academy.certificates.services import certificate_pdf_ensure
    from academy.core.models import User
    from academy.courses.models import CoursePage, ModulePage
    from academy.demo.records import certificate_dated, course_taken
    from academy.learning import services

    learner = User.objects.get(email="learner@example.org")
    courses = {c.content_key: c for c in CoursePage.objects.live()}
    foundations = courses["foundations"]
    enrollment = course_taken(
        user=learner,
        course=foundations,
        at=timezone.now() - timezone.timedelta(days=20),
        rng=random.Random(7),
    )
    certificate = certificate_dated(enrollment=enrollment, at=enrollment.started_at)
    assert certificate is not None
    certificate_pdf_ensure(certificate=certificate)

    def open_attempt(course: CoursePage):
        services.course_enrol(user=learner, course=course)
        for module in ModulePage.objects.live().child_of(course):
            services.module_opened(user=learner, module=module)
            services.module_complete(user=learner, module=module)
        assessment = AssessmentPage.objects.live().child_of(course).get()
        return assessment, services.attempt_start(
            user=learner, assessment=assessment, declared_own_work=True
        )

    police_assessment, _question = open_attempt(courses["police"])
    step_assessment, attempt = open_attempt(courses["prosecutors"])
    while True:  # answer every question, so the next item is a scenario step
        item = grading.current_item(attempt.snapshot, _answers(attempt))
        if item.kind != grading.QUESTION:
            break
        right = [o["key"] for o in item.question["options"] if o["correct"]]
        services.attempt_answer(
            attempt_id=attempt.pk, user=learner, item_key=item.key, answer=right
        )
        attempt = services.attempt_continue(
            attempt_id=attempt.pk, user=learner, item_key=item.key
        )
    assert item.kind == grading.STEP, item.kind
    module = ModulePage.objects.live().child_of(foundations).order_by("path").first()
    found = foundations.url
    urls = {
        "bare": "/bench/bare/",
        "home": "/en/",
        "catalogue": "/en/courses/",
        "course": found,
        "lesson": module.url,
        "dashboard": "/en/dashboard/",
        "question": f"{police_assessment.url}attempts/1/",
        "step": f"{step_assessment.url}attempts/1/",
        "result": f"{AssessmentPage.objects.child_of(foundations).get().url}"
        "attempts/1/result/",
        "verify": f"/verify/{certificate.code}/",
    }
    (folder / "urls.json").write_text(json.dumps(urls, indent=2))


def _answers(attempt) -> dict:
    from academy.assessments.selectors import answers_of

    return answers_of(attempt)


# ---------------------------------------------------------------------------
# The server, signing in, and measuring.


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "academy.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "academy.settings.bench"},
        start_new_session=True,
    )
    for _ in range(200):
        try:
            if request(port, "/bench/bare/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not answer")


def request(port, path, *, cookie="", method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    all_headers = {"Cookie": cookie} if cookie else {}
    all_headers |= headers or {}
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data, response.getheader("Set-Cookie") or "", response


def _cookies(response) -> dict[str, str]:
    jar = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int) -> str:
    """The demo learner signs in through the form; returns the Cookie header."""
    path = "/en/accounts/sign-in/"
    status, body, _c, response = request(port, path)
    assert status == 200, status
    csrf = _cookies(response)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.decode(),
            "email": "learner@example.org",
            "password": "academy-demo",
        }
    )
    status, _b, _c, response = request(
        port,
        path,
        method="POST",
        body=form,
        cookie=f"csrftoken={csrf}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    session = _cookies(response).get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"signing in failed ({status})")
    return f"sessionid={session}; csrftoken={csrf}"


def wrk(port: int, path: str, cookie: str, args) -> float:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        f"http://{HOST}:{port}{path}",
    ]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit(f"{path}: {bad.group(1)} responses were errors\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def count_queries(folder: Path, env: dict[str, str], cookie: str) -> dict:
    """Queries per page, counted in-process on the same database with the same
    settings (the second of two requests: the shared cache is warm)."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.http", "queries", str(folder), cookie],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "academy.settings.bench"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def queries(folder: Path, cookie: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    urls = json.loads((folder / "urls.json").read_text())
    session = re.search(r"sessionid=([^;]+)", cookie).group(1)
    counts = {}
    for label, key, signed_in in PAGES:
        client = Client(HTTP_HOST=HOST)
        if signed_in:
            client.cookies["sessionid"] = session
        seen: list[str] = []

        def wrapper(execute, sql, params, many, context, seen=seen):
            seen.append(sql)
            return execute(sql, params, many, context)

        client.get(urls[key])
        with connection.execute_wrapper(wrapper):
            status = client.get(urls[key]).status_code
        assert status == 200, (label, status)
        counts[label] = len(seen)
    print(json.dumps(counts))


def _phase(args, env, folder, urls, pages) -> tuple[dict, dict, dict]:
    """Start gunicorn with `env`, sign in, and measure `pages` and the bare view in
    every round: (requests a second per round, queries, response sizes)."""
    server = start_server(env, args.port, args.workers)
    try:
        cookie = sign_in(args.port)
        sizes = {}
        for label, key, signed_in in pages:
            status, body, *_ = request(
                args.port, urls[key], cookie=cookie if signed_in else ""
            )
            if status != 200:
                raise SystemExit(f"{label} {urls[key]}: {status}")
            sizes[label] = len(body)
        counts = count_queries(folder, env, cookie)
        rates: dict[str, list[float]] = {"bare": []}
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds}", flush=True)
            rates["bare"].append(wrk(args.port, urls["bare"], cookie, args))
            for label, key, signed_in in pages:
                rate = wrk(args.port, urls[key], cookie if signed_in else "", args)
                rates.setdefault(label, []).append(rate)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rates, counts, sizes


def _table(pages, rates, counts, sizes) -> None:
    bare = statistics.median(rates["bare"])
    print(f"bare view: {bare:.0f} req/s  (rounds: {_list(rates['bare'])})")
    print()
    print("| page | req/s | × bare | queries | KiB | rounds (req/s) |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, _key, _signed_in in pages:
        rate = statistics.median(rates[label])
        print(
            f"| {label} | {rate:.0f} | {rate / bare:.3f} | {counts[label]} | "
            f"{sizes[label] / 1024:.1f} | {_list(rates[label])} |"
        )


def measure(args) -> None:
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "secret").exists():
        (folder / "secret").write_text(secrets.token_urlsafe(50))
    env = environment(folder, args.port)
    print("Trauma-Informed Academy over HTTP (gunicorn, production settings, SQLite)")
    if not (folder / "prepared").exists():
        print(f"preparing {folder}", flush=True)
        prepare(folder, env)
    urls = json.loads((folder / "urls.json").read_text())
    print("every page as served (a signed-in page seen again unchanged is kept)")
    kept = _phase(args, env, folder, urls, PAGES)
    afresh_pages = [page for page in PAGES if page[2] and page[1] != "verify"]
    print("signed-in learner pages as first views (rendered, then kept)")
    afresh = _phase(
        args, {**env, "ACADEMY_BENCH_FIRST_VIEWS": "true"}, folder, urls, afresh_pages
    )
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{args.workers} gunicorn sync workers, {args.rounds} rounds (medians)"
    )
    print()
    print("Every page as served: a signed-in learner page seen again unchanged comes")
    print("from the shared cache (core.page_cache); anonymous pages likewise.")
    _table(PAGES, *kept)
    print()
    print("Signed-in learner pages as first views: rendered, then kept (no view finds")
    print("its page kept), the person's rows as at their previous page (their record")
    print("and memberships read from the cache):")
    _table(afresh_pages, *afresh)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "records":
        records(Path(sys.argv[2]))
        return
    if len(sys.argv) > 3 and sys.argv[1] == "queries":
        queries(Path(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.http")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", help="prepare (or reuse) the database in this folder")
    measure(parser.parse_args())


if __name__ == "__main__":
    main()
