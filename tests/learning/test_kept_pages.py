"""A signed-in learner's page is served again from the shared cache only while nothing
it shows has changed (core.page_cache): every change to what the page shows —
through the services, through `update()` and `bulk_create` that send no signal, by a
coordinator, by a publish, by the clock — shows on the next view."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from academy.certificates.models import Certificate
from academy.courses.models import Enrollment, ModuleProgress
from academy.organisations.models import (
    Assignment,
)

from .. import factories
from ..utils import count_queries

pytestmark = pytest.mark.django_db

KEPT_QUERIES = 3  # the session, the person, the stamp (the cache is in memory here)


def _url(page) -> str:
    return page.url


def _queries(client, url) -> tuple[int, str]:
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen), response.content.decode()


def test_a_page_seen_again_unchanged_is_served_from_the_cache(
    learner_client, course_page, modules
):
    url = _url(course_page)
    rendered, first = _queries(learner_client, url)
    kept, again = _queries(learner_client, url)
    assert kept == KEPT_QUERIES < rendered
    token = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')
    assert token.sub("", again) == token.sub("", first)
    assert "Enrol in this course" in again


def test_the_form_on_a_kept_page_carries_the_readers_own_token(learner, course_page):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    url = _url(course_page)
    client.get(url)
    client.get(url)
    # A browser that dropped its CSRF cookie (its session kept) gets a new secret:
    # the kept page must not hand it the old one's token.
    del client.cookies["csrftoken"]
    with count_queries() as seen:
        html = client.get(url).content.decode()
    assert len(seen) == KEPT_QUERIES  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html)
    assert token
    response = client.post(url + "enrol/", {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=learner, course=course_page).exists()


def test_nobody_is_served_another_persons_page(
    learner, other_learner, course_page, modules
):
    url = _url(modules[0])
    alex, sam = Client(), Client()
    alex.force_login(learner)
    sam.force_login(other_learner)
    alex.post(_url(course_page) + "enrol/")
    alex.get(url)
    assert "Mark this module done" in alex.get(url).content.decode()  # kept
    sam.get(url)
    page = sam.get(url).content.decode()
    assert "Enrol to keep track of your progress" in page
    assert "Mark this module done" not in page


def test_what_the_learner_does_shows_at_once(learner_client, course_page, modules):
    course = _url(course_page)
    learner_client.get(course)
    learner_client.get(course)
    learner_client.post(course + "enrol/")
    assert "Enrol in this course" not in learner_client.get(course).content.decode()
    learner_client.get(_url(modules[0]))
    learner_client.post(_url(modules[0]) + "complete/")
    learner_client.get("/en/dashboard/")
    assert (
        "1 of 3 modules done" in learner_client.get("/en/dashboard/").content.decode()
    )


def _dashboard(client) -> str:
    client.get("/en/dashboard/")
    return client.get("/en/dashboard/").content.decode()  # kept, if unchanged


def test_writes_that_send_no_signal_show_at_once(
    learner_client, learner, course_page, modules
):
    now = timezone.now()
    enrollment = Enrollment.objects.create(
        user=learner, course=course_page, started_at=now
    )
    assert "0 of 3 modules done" in _dashboard(learner_client)
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            enrollment=enrollment, module=m, started_at=now, last_viewed_at=now
        )
        for m in modules
    )
    assert "0 of 3 modules done" in _dashboard(learner_client)
    # update() leaves updated_at as it was: the count of done rows still changes.
    ModuleProgress.objects.filter(enrollment=enrollment, module=modules[0]).update(
        completed_at=now
    )
    assert (
        "1 of 3 modules done" in learner_client.get("/en/dashboard/").content.decode()
    )


def test_a_revoked_certificate_shows_at_once(learner_client, learner):
    certificate = factories.make_certificate(user=learner, course_key="harbour")
    assert 'class="status certified"' in _dashboard(learner_client)
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=timezone.now(), revoked_reason="Issued in error."
    )
    page = learner_client.get("/en/dashboard/").content.decode()
    assert 'class="status certified"' not in page


def test_what_a_coordinator_assigns_shows_at_once(
    learner_client, learner, course_page, modules
):
    organisation, night = factories.make_cohort_member(learner)
    assert course_page.title not in _dashboard(learner_client)
    Assignment.objects.create(
        organisation=organisation,
        course=course_page,
        cohort=night,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert course_page.title in learner_client.get("/en/dashboard/").content.decode()


def test_a_publish_shows_at_once(learner_client, course_page, modules):
    url = _url(course_page)
    learner_client.get(url)
    learner_client.get(url)
    course_page.title = "Foundations, revised"
    course_page.save_revision().publish()
    assert "Foundations, revised" in learner_client.get(url).content.decode()


def test_the_clock_shows_within_a_minute(learner_client, learner, monkeypatch):
    now = timezone.now()
    factories.make_certificate(
        user=learner,
        course_key="harbour",
        issued_at=now - datetime.timedelta(days=730) + datetime.timedelta(seconds=30),
    )
    assert "Certificate expired" not in _dashboard(learner_client)
    later = now + datetime.timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert (
        "Certificate expired" in learner_client.get("/en/dashboard/").content.decode()
    )


def test_a_message_is_shown_once_and_its_page_not_kept(
    learner_client, course_page, modules
):
    response = learner_client.post(_url(course_page) + "enrol/", follow=True)
    assert "You are enrolled" in response.content.decode()
    again = learner_client.get(_url(modules[0])).content.decode()
    assert "You are enrolled" not in again


def _rendered(response) -> bool:
    """The test client lists the templates a response was rendered from: none for
    a page served from the cache."""
    return any(t.name == "courses/course_page.html" for t in response.templates)


def test_kept_pages_can_be_turned_off(learner_client, course_page, settings):
    url = _url(course_page)
    learner_client.get(url)
    assert not _rendered(learner_client.get(url))
    settings.ACADEMY_LEARNER_PAGES_KEPT = False
    learner_client.get(url)
    assert _rendered(learner_client.get(url))


def test_an_unknown_query_string_is_not_kept(learner_client, course_page):
    url = _url(course_page) + "?made-up=1"
    learner_client.get(url)
    assert _rendered(learner_client.get(url))


def test_the_benchmark_can_make_every_view_a_first_one(
    learner_client, course_page, settings
):
    """make bench-http's second table: each view rendered and kept, none served."""
    settings.ACADEMY_BENCH_EVERY_VIEW_FIRST = True
    url = _url(course_page)
    learner_client.get(url)
    assert _rendered(learner_client.get(url))
