"""Sign in as the demo learner, open Foundations from the home page, finish a module
and watch the dashboard's progress bar move, in English and in Arabic."""

import pytest
from django.core.management import call_command

from academy.courses.models import CoursePage, ModulePage
from academy.demo.seed import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def progress_value(page) -> tuple[int, int]:
    bar = page.locator("main progress").first
    return int(bar.get_attribute("value")), int(bar.get_attribute("max"))


def test_demo_learner_finishes_a_module(live_server, page, output_dir):
    call_command("load_content", verbosity=0)
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    modules = (
        ModulePage.objects.live()
        .filter(path__startswith=CoursePage.objects.get(content_key="foundations").path)
        .count()
    )

    page.goto(f"{base}/en/accounts/sign-in/")
    page.fill("#id_email", "Learner@Example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/en/dashboard/")
    assert "not enrolled in any course yet" in page.content()

    page.goto(f"{base}/en/")
    page.click("text=See the courses")
    page.click("text=Foundations: trauma-informed response to sex trafficking")
    page.click("text=Enrol in this course")
    page.wait_for_url("**/what-it-is/")
    assert page.locator("h1").inner_text() == "What sex trafficking is, and is not"
    # The content note keeps the material folded until the learner opens it.
    note = page.locator(".content-note details").first
    assert note.get_attribute("open") is None
    page.screenshot(path=str(output_dir / "module-en.png"), full_page=False)

    page.click("text=Mark this module done")
    page.wait_for_url("**/trauma-and-the-brain/")
    page.goto(f"{base}/en/dashboard/")
    assert progress_value(page) == (1, modules)
    page.screenshot(path=str(output_dir / "dashboard-en.png"), full_page=True)

    # The same learner, in Arabic: right to left, same progress.
    page.click("nav.languages a[hreflang=ar]")
    page.wait_for_url(f"{base}/ar/dashboard/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert progress_value(page) == (1, modules)
    page.screenshot(path=str(output_dir / "dashboard-ar.png"), full_page=True)

    page.locator("main .card a.button").first.click()
    page.wait_for_url("**/ar/courses/foundations/trauma-and-the-brain/")
    page.click("main form[action$='complete/'] button")
    page.goto(f"{base}/ar/dashboard/")
    assert progress_value(page) == (2, modules)
    page.screenshot(path=str(output_dir / "dashboard-ar-done.png"), full_page=True)
