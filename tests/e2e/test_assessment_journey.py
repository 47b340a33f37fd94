"""The demo learner takes the Foundations assessment in the browser: once choosing
well (passes), once choosing badly (fails, sees why, reads the note)."""

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate
from academy.core.models import User
from academy.courses.models import CoursePage, Enrollment, ModulePage, ModuleProgress
from academy.demo.seed import DEMO_PASSWORD

from .test_accessibility import AXE_OPTIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _finish_modules(user):
    course = CoursePage.objects.get(content_key="foundations")
    enrollment = Enrollment.objects.create(
        user=user, course=course, started_at=course.first_published_at
    )
    for module in ModulePage.objects.child_of(course).live():
        ModuleProgress.objects.create(
            enrollment=enrollment,
            module=module,
            started_at=enrollment.started_at,
            last_viewed_at=enrollment.started_at,
            completed_at=enrollment.started_at,
        )
    return course


def _play(page, *, well: bool, shot):
    """Answer until the result page, clicking as a learner does; `shot` is where to
    save a picture of the first scenario step."""
    for _ in range(200):
        if "/result/" in page.url:
            return
        attempt = Attempt.objects.order_by("-pk").first()
        item = page.locator("form input[name=item]").first.get_attribute("value")
        if page.locator("main form[action$='/continue/']").count():
            page.locator("main form[action$='/continue/'] button").click()
            continue
        if item.startswith("q:"):
            question = next(
                q for q in attempt.snapshot["questions"] if q["key"] == item[2:]
            )
            keys = [o["key"] for o in question["options"] if o["correct"] == well]
            for key in keys[: (len(keys) if question["multiple"] else 1)]:
                page.locator(f"input[name=answer][value='{key}']").check()
        else:
            _, scenario_key, step_key = item.split(":", 2)
            scenario = next(
                s for s in attempt.snapshot["scenarios"] if s["key"] == scenario_key
            )
            step = next(s for s in scenario["steps"] if s["key"] == step_key)
            ranked = sorted(
                step["choices"], key=lambda c: sum(c["points"].values()), reverse=well
            )
            if not well:
                worst = [c for c in step["choices"] if c["grade"] == "critical"]
                ranked = worst + ranked
            if shot is not None and not shot.exists():
                page.screenshot(path=str(shot), full_page=True)
            page.locator(f"input[name=answer][value='{ranked[0]['key']}']").check()
        page.locator("main form button[type=submit]").first.click()
    raise AssertionError("The assessment never reached its result page.")


def test_the_foundations_assessment_passed_and_failed(live_server, page, output_dir):
    call_command("load_content", verbosity=0)
    call_command("seed_demo", verbosity=0)
    learner = User.objects.get(email="learner@example.org")
    course = _finish_modules(learner)
    base = live_server.url
    page.goto(f"{base}/en/accounts/sign-in/")
    page.fill("#id_email", learner.email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")

    # Failing first: a critical choice, consequences to the ending, a kind result.
    page.goto(f"{base}/en/courses/{course.slug}/")
    page.click("main a[href$='/assessment/']")
    page.check("input[name=own_work]")
    page.click("text=Start the assessment")
    _play(page, well=False, shot=output_dir / "step-en.png")
    assert "Not passed this time" in page.content()
    assert "Your path" in page.content()
    page.screenshot(path=str(output_dir / "result-failed-en.png"), full_page=True)
    page.click("text=Read the note")
    assert "Before you try again" in page.content()
    page.screenshot(path=str(output_dir / "remediation-en.png"), full_page=True)

    # Then passing, in Arabic.
    page.goto(f"{base}/ar/courses/{course.slug}/assessment/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.check("input[name=own_work]")
    page.locator("main form button[type=submit]").click()
    _play(page, well=True, shot=output_dir / "step-ar.png")
    attempt = Attempt.objects.get(user=learner, number=2)
    assert attempt.passed is True
    assert page.locator("h1").inner_text() != ""
    page.screenshot(path=str(output_dir / "result-passed-ar.png"), full_page=True)
    # The certificate: on "My learning", downloadable, with a link to share.
    page.goto(f"{base}/en/dashboard/")
    assert "Certified" in page.content()
    with page.expect_download() as download:
        page.click("text=Download the PDF")
    pdf_path = output_dir / "certificate.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    # …and the credential for a wallet, signed with an embedded proof.
    with page.expect_download() as download:
        page.click("text=Download the credential file")
    assert download.value.suggested_filename.endswith(".json")
    credential = json.loads(Path(download.value.path()).read_text())
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    # The Achievement it names is a page people can read, in English and Arabic.
    achievement = credential["credentialSubject"]["achievement"]["id"]
    achievement = achievement.replace(settings.ACADEMY_PUBLIC_URL, base)
    for lang in ("en", "ar"):
        page.goto(f"{achievement}?lang={lang}")
        assert page.locator("h1").inner_text().strip()
        results = Axe().run(page, options=AXE_OPTIONS)
        assert not results.violations_count, results.generate_report()
    page.goto(f"{base}/en/dashboard/")
    code = Certificate.objects.get(user=learner).code

    # A stranger, signed out, types the code: once with two symbols swapped.
    page.click("header form button")  # sign out
    page.goto(f"{base}/verify/?lang=en")  # the achievement page was last read in Arabic
    symbols = code.replace("-", "")
    swapped = symbols[:5] + symbols[6] + symbols[5] + symbols[7:]
    if swapped == symbols:
        swapped = symbols[:-2] + symbols[-1] + symbols[-2]
    page.fill("#code", swapped)
    page.click("main form button[type=submit]")
    assert "This code looks mistyped" in page.content()
    page.fill("#code", code.lower())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/verify/{code}/")
    assert page.locator("h1").inner_text().strip() == "Valid"
    assert learner.full_name in page.content()
    page.screenshot(path=str(output_dir / "verify-en.png"), full_page=True)
