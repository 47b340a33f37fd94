"""The demo coordinator signs in and sees an agency in use: sixty people in four
cohorts, a chart per course, overdue assignments and certificates about to expire,
each reachable by a filter, in English and in Arabic."""

import re

import pytest
from django.core.management import call_command

from tests.e2e.journeys import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _lead_figures(page) -> tuple[int, int, int]:
    lead = page.locator("main p.lead").inner_text()
    numbers = [int(n) for n in re.findall(r"\d+", lead)]
    people, overdue, expiring = numbers[0], numbers[1], numbers[2]
    return people, overdue, expiring


def _filter(page, status: str) -> None:
    page.select_option("main form.filters select[name=status]", status)
    page.locator("main form.filters button[type=submit]").click()
    page.wait_for_load_state()


def test_the_demo_agency_as_its_coordinator_sees_it(live_server, page, output_dir):
    for course in ("foundations", "police", "border"):  # what the agencies assign
        call_command("load_content", "--course", course, verbosity=0)
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    sign_in(page, base, "coordinator@example.org")

    page.goto(f"{base}/en/coordinate/")
    assert page.locator("main h1").inner_text() == "Riverside Police Department"
    people, overdue, expiring = _lead_figures(page)
    assert people >= 60 and overdue > 0 and expiring > 0
    # A bar pair per assigned course: Foundations and the police course.
    chart = page.locator("main svg.chart > g")
    assert chart.count() == 2
    assert "Police" in page.locator("main svg.chart").text_content()
    rows = page.locator("main table").last.locator("tbody tr")
    assert rows.count() > 10  # a full page of people, not two
    page.screenshot(path=str(output_dir / "dashboard-en.png"), full_page=True)

    _filter(page, "overdue")
    assert "status=overdue" in page.url
    rows = page.locator("main table").last.locator("tbody tr")
    assert 0 < rows.count()
    for i in range(rows.count()):
        assert "Overdue by" in rows.nth(i).inner_text()
    page.screenshot(path=str(output_dir / "overdue-en.png"), full_page=True)

    _filter(page, "expiring")
    rows = page.locator("main table").last.locator("tbody tr")
    assert 0 < rows.count() <= expiring
    for i in range(rows.count()):
        assert rows.nth(i).locator(".status.expiring").count() >= 1

    # The same dashboard in Arabic: right to left, the same figures.
    page.goto(f"{base}/ar/coordinate/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert _lead_figures(page) == (people, overdue, expiring)
    assert page.locator("main svg.chart > g").count() == 2
    page.screenshot(path=str(output_dir / "dashboard-ar.png"), full_page=True)
    _filter(page, "overdue")
    assert page.locator("main table").last.locator("tbody tr").count() > 0
    page.screenshot(path=str(output_dir / "overdue-ar.png"), full_page=True)
