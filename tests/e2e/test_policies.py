"""The Content-Security-Policy (no inline script or style) breaks no page: the site's
pages and Wagtail's editor load with nothing refused (the `page` fixture fails a test
on any refusal), and the policy is really enforced (an inline script is refused)."""

import pytest
from django.core.management import call_command

from academy.demo.seed import DEMO_PASSWORD

from .conftest import csp_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_policy_is_enforced(browser, live_server):
    """The control: if this passed with an inline script running, the other browser
    tests could not notice a missing policy."""
    context = browser.new_context()
    tab = context.new_page()
    refused = csp_violations(tab)
    tab.goto(live_server.url + "/en/accounts/sign-in/")
    tab.evaluate(
        """() => { const s = document.createElement('script');
        s.textContent = 'window.ran = true'; document.body.append(s); }"""
    )
    ran = tab.evaluate("() => window.ran === true")
    context.close()
    assert not ran and any("script" in line for line in refused)


def test_no_page_or_editor_is_refused_anything(live_server, page):
    call_command("load_content", "--course", "foundations", verbosity=0)
    call_command("seed_demo", verbosity=0)
    for path in (
        "/en/",
        "/ar/courses/",
        "/en/courses/foundations/",
        "/verify/",
        "/en/glossary/",
        "/en/support/",
    ):
        assert page.goto(live_server.url + path).ok
        assert page.locator("link[rel=stylesheet]").count() >= 1
        # The stylesheet applied: the skip link is off-screen until focused.
        assert page.locator(".skip-link").bounding_box()["y"] < 0
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin@example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/")
    from academy.courses.models import CoursePage

    course = CoursePage.objects.get(content_key="foundations")
    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    page.wait_for_selector("form#page-edit-form")
    page.goto(f"{live_server.url}/admin/reports/item-analysis/")
    assert page.locator("main").count() == 1
