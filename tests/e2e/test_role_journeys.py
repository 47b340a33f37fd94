"""The role courses in the browser (issues 12 and 13): a police officer meets the
Foundations prerequisite, then certifies in the police course; a prosecutor does
the whole of it in French; an employer in Arabic, right to left."""

import pytest
from django.core.management import call_command

from academy.certificates.models import Certificate
from academy.courses.models import CoursePage, ModulePage

from .journeys import enrol_and_read, make_learner, play, sign_in, start_assessment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _load(*courses):
    for course in courses:
        call_command("load_content", "--course", course, verbosity=0)


def _modules(key):
    course = CoursePage.objects.get(content_key=key)
    return ModulePage.objects.child_of(course).live().count()


def _certify(page, base, slug, lang, output_dir=None):
    assert enrol_and_read(page, base, slug, lang) == _modules(slug)
    start_assessment(page, base, slug, lang)
    attempt = play(page, well=True)
    assert attempt.passed, attempt.scores
    if output_dir is not None:
        page.screenshot(path=str(output_dir / f"result-{slug}-{lang}.png"))
    return Certificate.objects.get(user=attempt.user, course_key=slug)


def test_the_police_course_after_foundations(live_server, page, output_dir):
    _load("foundations", "police")
    officer = make_learner("jo@example.org", "Jo Ahmed", role="police", lang="en")
    base = live_server.url
    sign_in(page, base, officer.email)
    page.goto(f"{base}/en/courses/")
    page.locator("main a[href='/en/courses/police/']").first.click()
    assert "Before the assessment" in page.content()
    assert enrol_and_read(page, base, "police", "en") == _modules("police")
    # Every module read, and still the assessment waits, saying for what.
    page.goto(f"{base}/en/courses/police/assessment/")
    assert "valid certificate for" in page.content()
    assert not page.locator("input[name=own_work]").count()
    page.screenshot(path=str(output_dir / "police-waits-for-foundations.png"))
    page.goto(f"{base}/en/dashboard/")
    assert "opens once you hold a valid certificate for" in page.content()
    page.locator("main a[href='/en/courses/foundations/']").first.click()
    foundations = _certify(page, base, "foundations", "en")
    page.goto(f"{base}/en/dashboard/")
    assert "opens once you hold a valid certificate for" not in page.content()
    start_assessment(page, base, "police", "en")
    attempt = play(page, well=True)
    assert attempt.passed, attempt.scores
    page.screenshot(path=str(output_dir / "police-result.png"), full_page=True)
    police = Certificate.objects.get(user=officer, course_key="police")
    assert police.requirements["prerequisites"][0]["code"] == foundations.code
    page.goto(f"{base}/verify/{police.code}/")
    assert page.locator("h1").inner_text().strip() == "Valid"
    assert foundations.code in page.content()


def test_a_prosecutor_certifies_in_french(live_server, page, output_dir):
    _load("foundations", "prosecutors")
    learner = make_learner(
        "claire@example.org", "Claire Dubois", role="prosecution", lang="fr"
    )
    base = live_server.url
    sign_in(page, base, learner.email, "fr")
    page.goto(f"{base}/fr/courses/")
    # Foundations first for a newcomer, then the prosecutors' course.
    cards = page.locator("main .card h2 a")
    assert cards.nth(0).get_attribute("href") == "/fr/courses/foundations/"
    assert cards.nth(1).get_attribute("href") == "/fr/courses/prosecutors/"
    _certify(page, base, "foundations", "fr")
    certificate = _certify(page, base, "prosecutors", "fr", output_dir)
    assert certificate.language == "fr"
    page.goto(f"{base}/fr/dashboard/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(output_dir / "dashboard-fr.png"), full_page=True)


def test_an_employer_certifies_in_arabic(live_server, page, output_dir):
    _load("foundations", "employers", "employers-refresher")
    learner = make_learner("huda@example.org", "هدى سالم", role="employer", lang="ar")
    base = live_server.url
    sign_in(page, base, learner.email, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    _certify(page, base, "foundations", "ar")
    certificate = _certify(page, base, "employers", "ar", output_dir)
    assert (
        certificate.course_title
        == CoursePage.objects.get(content_key="employers").title_ar
    )
    page.goto(f"{base}/ar/courses/")
    # The refresher is offered with the course it renews, not as a seventh course.
    assert page.locator("main a[href='/ar/courses/employers-refresher/']").count() == 1
    assert page.locator("main .card").count() == 2  # Foundations, Employers
    page.screenshot(path=str(output_dir / "catalogue-ar.png"), full_page=True)
    page.goto(f"{base}/verify/{certificate.code}/")
    assert learner.full_name in page.content()
