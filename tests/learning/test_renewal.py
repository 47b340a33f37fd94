"""Certificates over the years (issue 15): renewal opens a new cycle from 90 days
before expiry; the refresher (or the whole course, where there is none) renews, and
the new certificate starts when the old one ends. Earlier cycles stay untouched.
Attempts after passing are practice."""

import datetime

import pytest
from django.utils import timezone

from academy.assessments.models import Attempt
from academy.certificates.models import Certificate
from academy.courses.models import Enrollment, ModulePage, ModuleProgress
from academy.progress.selectors import CourseState, course_status_for_user

from .. import factories
from ..assessments.conftest import Taker

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(course_index):
    course = factories.make_course(
        index=course_index,
        title="Foundations",
        slug="foundations",
        content_key="foundations",
        validity_months=24,
    )
    factories.make_module(course=course, title="Only module")
    factories.make_assessment(course=course)
    return course


@pytest.fixture
def employers(course_index):
    course = factories.make_course(
        index=course_index,
        title="Employers",
        slug="employers",
        content_key="employers",
        validity_months=12,
        audiences=("employer",),
    )
    factories.make_module(course=course, title="Employers module")
    factories.make_assessment(course=course)
    return course


@pytest.fixture
def refresher(course_index, employers):
    course = factories.make_course(
        index=course_index,
        title="Employers: annual refresher",
        slug="employers-refresher",
        content_key="employers-refresher",
        validity_months=12,
        contact_hours=1,
        audiences=("employer",),
        renews=employers,
    )
    factories.make_module(course=course, title="What changed")
    factories.make_assessment(course=course)
    return course


def _read_all(user, course):
    enrollment = Enrollment.objects.filter(user=user, course=course).order_by("-cycle")[
        0
    ]
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.get_or_create(
            enrollment=enrollment,
            module=module,
            defaults={
                "started_at": enrollment.started_at,
                "last_viewed_at": enrollment.started_at,
                "completed_at": enrollment.started_at,
            },
        )


def _pass(client, user, course):
    client.post(f"/en/courses/{course.slug}/enrol/")
    _read_all(user, course)
    assessment = course.get_children().get(slug="assessment").specific
    taker = Taker(client, assessment)
    response = taker.start()
    assert response.status_code == 302, response.content.decode()[:300]
    number = Attempt.objects.filter(user=user, assessment=assessment).count()
    taker.questions(number=number)
    taker.step("s:corridor:arrive", "ask", number=number)
    taker.step("s:corridor:refer", "refer-well", number=number)
    return number


def _expiring_in(certificate, days):
    """Move the certificate so that it ends `days` from now (whole validity kept)."""
    end = timezone.now() + datetime.timedelta(days=days)
    start = end - (certificate.expires_at - certificate.valid_from)
    # updated_at as a save sets it: what is kept under the person's rows
    # (core.page_cache) is rebuilt on the next page, as after any real change.
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=start, valid_from=start, expires_at=end, updated_at=timezone.now()
    )
    certificate.refresh_from_db()
    return certificate


def test_renewal_opens_ninety_days_before_and_starts_at_the_old_expiry(
    client, learner, course
):
    client.force_login(learner)
    _pass(client, learner, course)
    first = _expiring_in(Certificate.objects.get(), 100)
    page = client.get("/en/courses/foundations/").content.decode()
    assert "Renew your certificate" not in page
    client.post("/en/courses/foundations/enrol/")  # too early: the same cycle
    assert Enrollment.objects.filter(user=learner).count() == 1
    first = _expiring_in(first, 80)
    assert (
        course_status_for_user(user=learner, course=course).state
        == CourseState.EXPIRING
    )
    page = client.get("/en/courses/foundations/").content.decode()
    assert "Renew your certificate" in page and "Start the renewal" in page
    board = client.get("/en/dashboard/").content.decode()
    assert "Renew this certificate" in board
    _pass(client, learner, course)
    second = Certificate.objects.exclude(pk=first.pk).get()
    assert second.cycle == 2 and second.enrollment.cycle == 2
    assert second.renews == first and second.valid_from == first.expires_at
    assert second.status == "not_yet"
    assert second.expires_at.year == first.expires_at.year + 2
    first.refresh_from_db()
    assert first.status == "valid" and first.revoked_at is None
    status = course_status_for_user(user=learner, course=course)
    assert status.state == CourseState.CERTIFIED and status.renewal == second
    assert "valid from" in client.get("/en/dashboard/").content.decode()
    verify = client.get(f"/verify/{second.code}/").content.decode()
    assert "Valid from" in verify and first.code in verify
    # Cycle 1's records are as they were.
    assert Attempt.objects.filter(enrollment__cycle=1, passed=True).count() == 1


def test_after_expiry_the_whole_course_renews_from_today(client, learner, course):
    client.force_login(learner)
    _pass(client, learner, course)
    first = _expiring_in(Certificate.objects.get(), -30)
    assert (
        course_status_for_user(user=learner, course=course).state == CourseState.EXPIRED
    )
    _pass(client, learner, course)
    second = Certificate.objects.exclude(pk=first.pk).get()
    assert second.status == "valid" and second.cycle == 2
    assert abs((second.valid_from - timezone.now()).total_seconds()) < 60


def test_the_refresher_renews_the_course_it_refreshes(
    client, learner, employers, refresher
):
    client.force_login(learner)
    _pass(client, learner, employers)
    first = _expiring_in(Certificate.objects.get(), 200)
    # Too early for the refresher: its assessment says why and starts nothing.
    client.post("/en/courses/employers-refresher/enrol/")
    _read_all(learner, refresher)
    page = client.get("/en/courses/employers-refresher/assessment/").content.decode()
    assert "This refresher renews a certificate of Employers" in page
    first = _expiring_in(first, 45)
    page = client.get("/en/courses/employers/").content.decode()
    assert "Renew through Employers: annual refresher" in page
    assessment = refresher.get_children().get(slug="assessment").specific
    taker = Taker(client, assessment)
    assert taker.start().status_code == 302
    taker.questions()
    taker.step("s:corridor:arrive", "ask")
    taker.step("s:corridor:refer", "refer-well")
    second = Certificate.objects.exclude(pk=first.pk).get()
    assert second.course == employers and second.course_key == "employers"
    assert second.cycle == 2 and second.renews == first
    assert second.valid_from == first.expires_at
    assert second.contact_hours == refresher.contact_hours
    assert second.requirements["renewed_through"]["key"] == "employers-refresher"
    status = course_status_for_user(user=learner, course=employers)
    assert status.state == CourseState.CERTIFIED and status.renewal == second
    # Next year the refresher opens its own second cycle.
    _expiring_in(first, -1)
    second = _expiring_in(second, 30)
    client.post("/en/courses/employers-refresher/enrol/")
    assert Enrollment.objects.filter(user=learner, course=refresher).count() == 2


def test_a_refresher_long_after_expiry_renews_nothing(
    client, learner, employers, refresher
):
    client.force_login(learner)
    _pass(client, learner, employers)
    _expiring_in(Certificate.objects.get(), -120)
    client.post("/en/courses/employers-refresher/enrol/")
    _read_all(learner, refresher)
    page = client.get("/en/courses/employers-refresher/assessment/").content.decode()
    assert "take the full course instead" in page
    assessment = refresher.get_children().get(slug="assessment").specific
    assert Taker(client, assessment).start().status_code in (400, 403)
    assert Certificate.objects.count() == 1


def test_attempts_after_passing_are_practice(client, learner, course):
    client.force_login(learner)
    _pass(client, learner, course)
    certificate = Certificate.objects.get()
    assessment = course.get_children().get(slug="assessment").specific
    taker = Taker(client, assessment)
    assert taker.start().status_code == 302
    page = taker.page(number=2).content.decode()
    assert "Practice: you passed this assessment already" in page
    taker.questions(number=2, right=False)
    taker.step("s:corridor:arrive", "accuse", number=2)
    taker.step("s:corridor:repair", "apologise", number=2)
    taker.step("s:corridor:refer", "refer-late", number=2)
    result = client.get(taker.url("attempts/2/result/")).content.decode()
    assert "does not change your certificate" in result
    assert Certificate.objects.get() == certificate
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.attempt.number == 1
