"""WCAG 2.2 AA, checked by axe-core in Chromium on every kind of page, in English and
in Arabic (right to left)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from academy.demo.seed import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}

PUBLIC = [
    "/{lang}/",
    "/{lang}/courses/",
    "/{lang}/courses/foundations/",
    "/{lang}/courses/foundations/what-it-is/",
    "/{lang}/accounts/sign-in/",
    "/{lang}/accounts/register/",
    "/{lang}/accounts/password/reset/",
    "/{lang}/support/",
    "/{lang}/no-such-page/",
]
SIGNED_IN = [
    "/{lang}/dashboard/",
    "/{lang}/courses/foundations/trauma-and-the-brain/",
    "/{lang}/accounts/profile/",
]


def _check(page, url, output_dir, failures):
    page.goto(url)
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        name = url.strip("/").replace("/", "_") or "root"
        report = results.generate_report()
        (output_dir / f"axe-{name}.txt").write_text(report)
        failures.append(f"{url}\n{report}")


def test_pages_pass_axe_in_english_and_arabic(live_server, page, output_dir):
    call_command("load_content", verbosity=0)
    call_command("seed_demo", verbosity=0)
    failures: list[str] = []
    for lang in ("en", "ar"):
        for path in PUBLIC:
            _check(page, live_server.url + path.format(lang=lang), output_dir, failures)
    page.goto(live_server.url + "/en/accounts/sign-in/")
    page.fill("#id_email", "learner@example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.goto(live_server.url + "/en/courses/foundations/")
    page.click("text=Enrol in this course")
    # A practice question answered, so its rationales are on the page too.
    page.locator("section.check input[name=option]").first.check()
    page.locator("section.check button").first.click()
    for lang in ("en", "ar"):
        _check(page, page.url.replace("/en/", f"/{lang}/"), output_dir, failures)
        for path in SIGNED_IN:
            _check(page, live_server.url + path.format(lang=lang), output_dir, failures)

    # The assessment: overview, a question, its feedback, a scenario step, the result.
    _finish_modules()
    assessment = live_server.url + "/{lang}/courses/foundations/assessment/"
    for lang in ("en", "ar"):
        _check(page, assessment.format(lang=lang), output_dir, failures)
    page.goto(assessment.format(lang="en"))
    page.check("input[name=own_work]")
    page.locator("main form button[type=submit]").click()
    for lang in ("en", "ar"):
        _check(page, page.url.replace("/en/", f"/{lang}/"), output_dir, failures)
    page.locator("input[name=answer]").first.check()
    page.locator("main form button[type=submit]").first.click()
    for lang in ("en", "ar"):
        _check(page, page.url.replace("/en/", f"/{lang}/"), output_dir, failures)
    _answer_every_question()
    page.reload()
    for lang in ("en", "ar"):
        _check(
            page,
            page.url.replace("/en/", f"/{lang}/").replace("/ar/", f"/{lang}/"),
            output_dir,
            failures,
        )
    _finish_attempt()
    for lang in ("en", "ar"):
        _check(
            page,
            f"{assessment.format(lang=lang)}attempts/1/result/",
            output_dir,
            failures,
        )
    # The coordinator's pages.
    from academy.courses.models import CoursePage
    from academy.organisations.models import Assignment, Cohort

    patrol = Cohort.objects.get(name="Patrol")
    Assignment.objects.create(
        organisation=patrol.organisation,
        cohort=patrol,
        course=CoursePage.objects.get(content_key="foundations"),
        due_days_after_joining=30,
    )
    page.goto(live_server.url + "/en/accounts/sign-in/")
    page.fill("#id_email", "coordinator@example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    for lang in ("en", "ar"):
        for path in (
            "coordinate/",
            f"coordinate/people/{_learner().pk}/",
            "coordinate/import/",
            "coordinate/assignments/",
            "coordinate/invitations/",
            "coordinate/people/add/",
        ):
            _check(page, f"{live_server.url}/{lang}/{path}", output_dir, failures)
    assert not failures, "\n\n".join(failures)


def _learner():
    from academy.core.models import User

    return User.objects.get(email="learner@example.org")


def _finish_modules():
    from academy.courses.models import (
        CoursePage,
        Enrollment,
        ModulePage,
        ModuleProgress,
    )

    course = CoursePage.objects.get(content_key="foundations")
    enrollment = Enrollment.objects.get(user=_learner(), course=course)
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.update_or_create(
            enrollment=enrollment,
            module=module,
            defaults={
                "started_at": enrollment.started_at,
                "last_viewed_at": enrollment.started_at,
                "completed_at": enrollment.started_at,
            },
        )


def _answer_every_question():
    from academy.assessments import grading as rules
    from academy.assessments import services
    from academy.assessments.models import Attempt

    attempt = Attempt.objects.get(user=_learner())
    if attempt.pending_feedback:
        services.attempt_continue(
            attempt_id=attempt.pk, user=_learner(), item_key=attempt.pending_feedback
        )
    while True:
        attempt.refresh_from_db()
        answers = {a.item_key: a.answer for a in attempt.answers.all()}
        item = rules.current_item(attempt.snapshot, answers)
        if item.kind != rules.QUESTION:
            return
        services.attempt_answer_record(
            attempt_id=attempt.pk,
            user=_learner(),
            item_key=item.key,
            answer=[item.question["options"][0]["key"]],
        )
        services.attempt_continue(
            attempt_id=attempt.pk, user=_learner(), item_key=item.key
        )


def _finish_attempt():
    from academy.assessments import grading as rules
    from academy.assessments import services
    from academy.assessments.models import Attempt

    attempt = Attempt.objects.get(user=_learner())
    while not attempt.is_submitted:
        answers = {a.item_key: a.answer for a in attempt.answers.all()}
        item = rules.current_item(attempt.snapshot, answers)
        services.attempt_answer_record(
            attempt_id=attempt.pk,
            user=_learner(),
            item_key=item.key,
            answer=[item.step["choices"][0]["key"]],
        )
        services.attempt_continue(
            attempt_id=attempt.pk, user=_learner(), item_key=item.key
        )
        attempt.refresh_from_db()
