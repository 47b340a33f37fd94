"""Benchmarks (not tests): how fast and how big, printed as ratios against a baseline
measured in the same process, so the figures compare across machines.

    make bench            # or: .venv/bin/python -m bench

It builds a throwaway test database (SQLite in memory, or DATABASE_URL), loads the
real curriculum, and measures:
  - loading: load_content on the empty database against load_content again with
    nothing changed;
  - page rendering: a lesson page and "My learning" against /healthz;
  - grading: grading a full Foundations attempt against a JSON round trip of its snapshot;
  - size: an attempt's snapshot against the curriculum text it copies;
  - scaling: "My learning" queries with 1 and with 20 courses enrolled;
  - bulk issuance: certificates a second, granted and with their PDFs (issuance.py).
  - the coordinator's dashboard and exports at 100 and 10,000 people (bench/coordinator.py).
"""

import json
import statistics
import time

from bench import in_test_database


def timed(fn, *, repeat=7, number=20) -> float:
    """Median seconds per call over `repeat` runs of `number` calls."""
    fn()  # warm up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)


def load_content_times() -> tuple[float, float]:
    """Seconds for load_content on the empty database, and then (the median of
    five) with nothing changed."""
    import io

    from django.core.management import call_command

    def load() -> None:
        call_command("load_content", stdout=io.StringIO())

    start = time.perf_counter()
    load()
    first = time.perf_counter() - start
    return first, timed(load, repeat=5, number=1)


def main() -> None:
    in_test_database(run)


def run() -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from academy.assessments import grading as rules
    from academy.assessments import services
    from academy.assessments.models import AssessmentPage
    from academy.core.models import User
    from academy.courses.models import (
        CoursePage,
        Enrollment,
        ModulePage,
        ModuleProgress,
    )
    from academy.learning import services as learning
    from academy.learning.selectors import work_role
    from academy.organisations.selectors import user_jurisdiction

    first_load, unchanged_load = load_content_times()
    user = User.objects.create_user(
        email="bench@example.org",
        password="x",
        full_name="B",
        email_verified_at=timezone.now(),  # signs in
    )
    course = CoursePage.objects.get(content_key="foundations")
    enrollment = Enrollment.objects.create(
        user=user, course=course, started_at=course.first_published_at
    )
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.create(
            enrollment=enrollment,
            module=module,
            started_at=enrollment.started_at,
            last_viewed_at=enrollment.started_at,
            completed_at=enrollment.started_at,
        )
    client = Client()
    client.force_login(user)
    module = ModulePage.objects.child_of(course).first()
    lesson_url = f"/en/courses/{course.slug}/{module.slug}/"

    print("Trauma-Informed Academy benchmarks (ratios against a same-process baseline)")
    print(f"database: {connection.vendor}")
    print(f"  load_content, first load         {first_load:8.2f} s")
    print(
        f"  load_content, nothing changed    {unchanged_load:8.2f} s  = "
        f"{unchanged_load / first_load:6.3f}x the first load"
    )
    for url in (lesson_url, "/en/dashboard/"):  # the pages, not a redirect
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
    from django.test import override_settings

    base = timed(lambda: client.get("/healthz"))
    # Rendered on every view (learner pages not kept), then as a page seen again
    # with nothing on it changed is served (core.page_cache).
    with override_settings(ACADEMY_LEARNER_PAGES_KEPT=False):
        lesson = timed(lambda: client.get(lesson_url))
        dash = timed(lambda: client.get("/en/dashboard/"))
    lesson_kept = timed(lambda: client.get(lesson_url))
    dash_kept = timed(lambda: client.get("/en/dashboard/"))
    print(f"  baseline GET /healthz            {base * 1000:8.2f} ms")
    print(
        f"  GET lesson page (F1, en)         {lesson * 1000:8.2f} ms  = {lesson / base:6.1f}x baseline"
    )
    print(
        f"  GET My learning                  {dash * 1000:8.2f} ms  = {dash / base:6.1f}x baseline"
    )
    print(
        f"  GET lesson page, seen again      {lesson_kept * 1000:8.2f} ms  = {lesson_kept / base:6.1f}x baseline"
    )
    print(
        f"  GET My learning, seen again      {dash_kept * 1000:8.2f} ms  = {dash_kept / base:6.1f}x baseline"
    )

    assessment = AssessmentPage.objects.child_of(course).get()
    attempt = learning.attempt_start(  # the learner's service: role, jurisdiction
        user=user, assessment=assessment, declared_own_work=True
    )
    snapshot = attempt.snapshot
    answers = {}
    for q in snapshot["questions"]:
        answers[rules.question_item(q["key"])] = {
            "options": [o["key"] for o in q["options"] if o["correct"]]
        }
    for scenario in snapshot["scenarios"]:
        while True:
            _path, stop, _totals, _ending = rules.walk_scenario(
                snapshot, scenario, answers
            )
            if stop is None:
                break
            best = max(stop["choices"], key=lambda c: sum(c["points"].values()))
            answers[rules.step_item(scenario["key"], stop["key"])] = {
                "choice": best["key"]
            }
    round_trip = timed(lambda: json.loads(json.dumps(snapshot)), number=50)
    grading = timed(lambda: rules.grade(snapshot, answers), number=50)
    start = timed(
        lambda: services.snapshot_build(
            assessment=assessment,
            jurisdiction=user_jurisdiction(user=user),
            role=work_role(user),
        ),
        number=5,
    )
    print(f"  baseline JSON round trip of a snapshot {round_trip * 1000:6.2f} ms")
    print(
        f"  grade a full attempt             {grading * 1000:8.2f} ms  = {grading / round_trip:6.1f}x baseline"
    )
    print(
        f"  build a snapshot (start)         {start * 1000:8.2f} ms  = {start / round_trip:6.1f}x baseline"
    )

    from decimal import Decimal

    from academy.certificates.models import Certificate
    from academy.certificates.pdf import render_certificate_pdf

    sample = Certificate(
        code="4CTA-QQH1-YQ8N-PBMR-T",
        holder_name="مريم الحسن",
        course_title=course.title,
        course_version="2026.1",
        contact_hours=Decimal("3"),
        language="ar",
        issued_at=enrollment.started_at,
        valid_from=enrollment.started_at,
        expires_at=enrollment.started_at,
        cycle=1,
        status_index=1,
        course_key="foundations",
    )
    render = timed(lambda: render_certificate_pdf(sample), number=10)
    pdf_size = len(render_certificate_pdf(sample))
    print(
        f"  render a certificate PDF (ar)    {render * 1000:8.2f} ms  = {render / round_trip:6.1f}x baseline"
        f"  ({1 / render:.0f} a second on one core; {pdf_size / 1024:.0f} KiB)"
    )

    size = len(json.dumps(snapshot, ensure_ascii=False).encode())
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.ACADEMY_CONTENT_DIR) / "foundations" / "assessment"
    source = sum(p.stat().st_size for p in folder.glob("*.yaml"))
    print(
        f"  snapshot size                    {size / 1024:8.1f} KiB = {size / source:6.2f}x "
        f"the assessment's YAML ({source / 1024:.0f} KiB, all languages, whole bank)"
    )

    from tests.utils import count_queries

    rendered = override_settings(ACADEMY_LEARNER_PAGES_KEPT=False)
    rendered.enable()  # the queries of the page rendered, not of a page kept
    client.get("/en/dashboard/")
    with count_queries() as one:
        client.get("/en/dashboard/")
    index = course.get_parent()
    for n in range(19):
        extra = CoursePage(
            title=f"Bench {n}", slug=f"bench-{n}", content_key=f"bench-{n}"
        )
        index.add_child(instance=extra)
        extra.save_revision().publish()
        Enrollment.objects.create(
            user=user, course=extra, started_at=enrollment.started_at
        )
    # The first visit after a publish rebuilds what the shared cache keeps; count
    # the page as every later visitor finds it (the same for the one course above).
    client.get("/en/dashboard/")
    with count_queries() as twenty:
        client.get("/en/dashboard/")
    rendered.disable()
    print(
        f"  My learning queries, 1 → 20 courses: {len(one)} → {len(twenty)}"
        f"  = {len(twenty) / len(one):.2f}x"
    )

    from bench import issuance

    issuance.run(course=course, assessment=assessment, snapshot=snapshot)

    from bench import coordinator

    coordinator.run()


if __name__ == "__main__":
    main()
