"""A page rendered for the first time reads the person's record and memberships
from the shared cache when their rows are as the previous page found them
(core.page_cache.person_entry), and from the database after any change."""

import datetime

import pytest
from django.test import Client, RequestFactory
from django.utils import formats, timezone

from academy.core import page_cache
from academy.courses.models import Enrollment, ModuleProgress
from academy.organisations.models import (
    Assignment,
    DueExtension,
    Membership,
    Organisation,
)

from .. import factories
from ..utils import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_rendered(settings):
    """Every page below is rendered: only what it reads about the person is kept."""
    settings.ACADEMY_LEARNER_PAGES_KEPT = False


def _view(client, url) -> tuple[list[str], str]:
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return seen, response.content.decode()


def _reads(seen: list[str], table: str) -> bool:
    return any(s.lstrip().startswith("SELECT") and f'FROM "{table}"' in s for s in seen)


def test_the_next_page_reads_the_person_from_the_cache(
    learner_client, course_page, modules
):
    learner_client.post(course_page.url + "enrol/")
    first, _ = _view(learner_client, course_page.url)
    assert _reads(first, "courses_enrollment")
    seen, page = _view(learner_client, modules[1].url)  # a page not seen before
    assert not _reads(seen, "courses_enrollment")
    assert not _reads(seen, "organisations_membership")
    assert "Mark this module done" in page  # the record says enrolled


def test_with_kept_pages_a_first_view_reads_the_person_from_the_cache(
    learner_client, learner, course_page, modules, settings
):
    """Kept pages on (as deployed): a page not kept yet is rendered from the
    person's entries as the previous page kept them."""
    settings.ACADEMY_LEARNER_PAGES_KEPT = True
    Enrollment.objects.create(
        user=learner, course=course_page, started_at=timezone.now()
    )  # no message waiting: both pages below may be kept
    learner_client.get(course_page.url)
    seen, page = _view(learner_client, modules[1].url)  # not kept yet: rendered
    assert "Mark this module done" in page
    assert not _reads(seen, "courses_enrollment")
    assert not _reads(seen, "organisations_membership")


def test_what_the_learner_does_shows_on_the_next_page(
    learner_client, course_page, modules
):
    learner_client.post(course_page.url + "enrol/")
    learner_client.get(modules[0].url)
    learner_client.get(course_page.url)
    learner_client.post(modules[0].url + "complete/")
    seen, page = _view(learner_client, modules[0].url)
    assert _reads(seen, "courses_enrollment")  # built again after the change
    assert "You have finished this module." in page


def test_a_change_that_sends_no_signal_shows_on_the_next_page(
    learner_client, learner, course_page, modules
):
    learner_client.post(course_page.url + "enrol/")
    learner_client.get(modules[0].url)
    assert (
        "Mark this module done" in learner_client.get(modules[0].url).content.decode()
    )
    # update() leaves updated_at as it was: the count of done rows still changes.
    ModuleProgress.objects.filter(enrollment__user=learner, module=modules[0]).update(
        completed_at=timezone.now()
    )
    assert (
        "You have finished this module."
        in learner_client.get(modules[0].url).content.decode()
    )


def test_a_membership_shows_on_the_next_page(learner_client, learner, course_page):
    learner_client.get(course_page.url)
    assert ">Coordinate<" not in learner_client.get("/en/dashboard/").content.decode()
    organisation = Organisation.objects.create(
        name="Harbour Police", kind="police", jurisdiction="us"
    )
    Membership.objects.create(
        user=learner,
        organisation=organisation,
        role=Membership.Role.COORDINATOR,
        accepted_at=timezone.now(),
    )
    assert ">Coordinate<" in learner_client.get(course_page.url).content.decode()


def test_nobody_reads_another_persons_record(
    learner, other_learner, course_page, modules
):
    alex, sam = Client(), Client()
    alex.force_login(learner)
    sam.force_login(other_learner)
    alex.post(course_page.url + "enrol/")
    alex.get(course_page.url)
    assert "Mark this module done" in alex.get(modules[0].url).content.decode()
    sam.get(course_page.url)
    page = sam.get(modules[0].url).content.decode()
    assert "Enrol to keep track of your progress" in page
    assert not Enrollment.objects.filter(user=other_learner).exists()


def test_reading_a_module_again_is_noted_once_not_on_every_view(
    learner_client, learner, course_page, modules
):
    learner_client.post(course_page.url + "enrol/")
    learner_client.get(modules[0].url)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    ModuleProgress.objects.filter(enrollment__user=learner).update(
        last_viewed_at=long_ago, updated_at=long_ago
    )
    learner_client.get(course_page.url)  # the record, kept with the old reading
    first, _ = _view(learner_client, modules[0].url)
    assert any(s.startswith('UPDATE "courses_moduleprogress"') for s in first)
    again, _ = _view(learner_client, modules[0].url)
    assert not any(s.startswith('UPDATE "courses_moduleprogress"') for s in again)
    progress = ModuleProgress.objects.get(enrollment__user=learner, module=modules[0])
    assert progress.last_viewed_at > long_ago


def test_a_form_decides_from_the_database(learner):
    """Only GET requests read kept entries."""
    built = []

    def build():
        built.append(1)
        return len(built)

    get = RequestFactory().get("/")
    get.user = learner
    assert page_cache.person_entry(get, "record", build) == 1
    again = RequestFactory().get("/")
    again.user = learner
    assert page_cache.person_entry(again, "record", build) == 1  # kept
    post = RequestFactory().post("/")
    post.user = learner
    assert page_cache.person_entry(post, "record", build) == 2


def test_what_is_assigned_is_read_once_and_shows_when_it_changes(
    learner_client, learner, course_page, modules
):
    organisation, night = factories.make_cohort_member(learner)
    assignment = Assignment.objects.create(
        organisation=organisation,
        course=course_page,
        cohort=night,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    first, page = _view(learner_client, "/en/dashboard/")
    assert _reads(first, "organisations_assignment") and "Assigned to you" in page
    seen, _ = _view(learner_client, "/en/dashboard/")
    assert not _reads(seen, "organisations_assignment")
    DueExtension.objects.create(
        assignment=assignment,
        user=learner,
        due_on=timezone.localdate() + datetime.timedelta(days=60),
        reason="Leave",
    )
    later = formats.date_format(
        timezone.localdate() + datetime.timedelta(days=60), "DATE_FORMAT"
    )
    assert f"Due by {later}" in learner_client.get("/en/dashboard/").content.decode()
    Assignment.objects.filter(pk=assignment.pk).update(closed_at=timezone.now())
    assert (
        "Assigned to you" not in learner_client.get("/en/dashboard/").content.decode()
    )


def test_a_renamed_course_shows_among_the_duties_at_once(
    learner_client, learner, course_page, modules
):
    organisation, night = factories.make_cohort_member(learner)
    Assignment.objects.create(
        organisation=organisation,
        course=course_page,
        cohort=night,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    learner_client.get("/en/dashboard/")
    course_page.title = "Foundations, revised"
    course_page.save_revision().publish()
    page = learner_client.get("/en/dashboard/").content.decode()
    assert "Foundations, revised" in page
