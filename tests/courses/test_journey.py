"""A learner enrols, reads modules in order, marks them done, resumes; nobody else
can read or change that record."""

import pytest

from academy.courses.models import Enrollment, ModuleProgress
from academy.progress.selectors import CourseState, course_status_for_user

from .. import factories
from ..utils import count_queries

pytestmark = pytest.mark.django_db


def _url(module):
    return f"/en/courses/{module.get_parent().slug}/{module.slug}/"


def test_the_whole_journey_with_resume(learner_client, learner, course_page, modules):
    course_url = f"/en/courses/{course_page.slug}/"
    assert "Enrol in this course" in learner_client.get(course_url).content.decode()
    assert (
        course_status_for_user(user=learner, course=course_page).state
        == CourseState.NOT_STARTED
    )

    response = learner_client.post(course_url + "enrol/")
    assert response.status_code == 302 and response["Location"] == _url(modules[0])
    assert (
        Enrollment.objects.filter(user=learner, course=course_page, cycle=1).count()
        == 1
    )

    # Reading a module is remembered; marking it done moves on to the next.
    learner_client.get(_url(modules[0]))
    response = learner_client.post(_url(modules[0]) + "complete/")
    assert response["Location"] == _url(modules[1])
    status = course_status_for_user(user=learner, course=course_page)
    assert status.state == CourseState.IN_PROGRESS
    assert (status.modules_done, status.modules_total) == (1, 3)

    # The learner opens module 2, leaves, and comes back: everything points there.
    learner_client.get(_url(modules[1]))
    dashboard = learner_client.get("/en/dashboard/").content.decode()
    assert '<progress id="progress-' in dashboard and 'max="3" value="1"' in dashboard
    assert "Next step:" in dashboard and modules[1].title in dashboard
    course_html = learner_client.get(course_url).content.decode()
    assert (
        "Continue where you left off" in course_html and _url(modules[1]) in course_html
    )

    for module in modules[1:]:
        learner_client.get(_url(module))
        learner_client.post(_url(module) + "complete/")
    status = course_status_for_user(user=learner, course=course_page)
    assert status.state == CourseState.COMPLETED and status.percent == 100
    assert Enrollment.objects.get(user=learner).completed_at is not None
    dashboard = learner_client.get("/en/dashboard/").content.decode()
    assert 'max="3" value="3"' in dashboard and "All modules done" in dashboard


def test_enrolling_twice_keeps_one_record(
    learner_client, learner, course_page, modules
):
    learner_client.post(f"/en/courses/{course_page.slug}/enrol/")
    learner_client.post(f"/en/courses/{course_page.slug}/enrol/")
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_done_stays_done_and_keeps_its_first_date(
    learner_client, learner, course_page, modules
):
    learner_client.post(f"/en/courses/{course_page.slug}/enrol/")
    learner_client.get(_url(modules[0]))
    learner_client.post(_url(modules[0]) + "complete/")
    first = ModuleProgress.objects.get(module=modules[0]).completed_at
    learner_client.post(_url(modules[0]) + "complete/")
    assert ModuleProgress.objects.get(module=modules[0]).completed_at == first


def test_marking_done_needs_an_enrolment(learner_client, learner, modules):
    response = learner_client.post(_url(modules[0]) + "complete/", follow=True)
    assert (
        "Enrol in this course before marking modules done." in response.content.decode()
    )
    assert not ModuleProgress.objects.exists()


def test_a_module_is_done_only_after_it_was_opened(
    learner_client, learner, course_page, modules
):
    """L7: marking a module done without opening it is refused and writes nothing;
    once opened, the time between opening and finishing is on record."""
    learner_client.post(f"/en/courses/{course_page.slug}/enrol/")
    response = learner_client.post(_url(modules[1]) + "complete/")
    assert response.status_code == 302
    assert not ModuleProgress.objects.filter(module=modules[1]).exists()
    page = learner_client.get(response["Location"]).content.decode()
    assert "Open the module and read it before marking it done." in page
    learner_client.get(_url(modules[1]))
    learner_client.post(_url(modules[1]) + "complete/")
    progress = ModuleProgress.objects.get(module=modules[1])
    assert progress.completed_at >= progress.started_at


def test_anonymous_visitors_read_but_cannot_record(client, course_page, modules):
    assert client.get(_url(modules[0])).status_code == 200
    response = client.post(_url(modules[0]) + "complete/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    response = client.post(f"/en/courses/{course_page.slug}/enrol/")
    assert "/accounts/sign-in/" in response["Location"]
    assert not Enrollment.objects.exists()


def test_get_on_an_action_is_refused_without_writing(
    learner_client, course_page, modules
):
    assert (
        learner_client.get(f"/en/courses/{course_page.slug}/enrol/").status_code == 405
    )
    assert learner_client.get(_url(modules[0]) + "complete/").status_code == 405
    assert not Enrollment.objects.exists()


def test_another_learner_cannot_read_or_change_this_record(
    client, learner, other_learner, course_page, modules
):
    client.force_login(learner)
    client.post(f"/en/courses/{course_page.slug}/enrol/")
    client.get(_url(modules[0]))
    client.post(_url(modules[0]) + "complete/")
    enrollment = Enrollment.objects.get(user=learner)
    assert client.get(f"/en/dashboard/enrolments/{enrollment.pk}/").status_code == 200

    client.force_login(other_learner)
    response = client.get(f"/en/dashboard/enrolments/{enrollment.pk}/")
    assert response.status_code == 404
    assert "Alex Rivera" not in response.content.decode()
    # Their own actions touch only their own record.
    client.post(_url(modules[1]) + "complete/")
    assert not ModuleProgress.objects.filter(module=modules[1]).exists()
    dashboard = client.get("/en/dashboard/").content.decode()
    assert "You are not enrolled in any course yet." in dashboard
    assert course_status_for_user(user=learner, course=course_page).modules_done == 1


def test_dashboard_needs_sign_in(client):
    response = client.get("/en/dashboard/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_knowledge_check_explains_every_option(client, course_page):
    module = factories.make_module(
        course=course_page,
        body_en=[
            {
                "type": "knowledge_check",
                "id": "check-one",
                "value": {
                    "question": "Which is a prompt for inquiry?",
                    "multiple": False,
                    "options": [
                        {
                            "text": "An indicator",
                            "correct": True,
                            "rationale": "Indicators prompt questions.",
                        },
                        {
                            "text": "Proof",
                            "correct": False,
                            "rationale": "Indicators are not proof.",
                        },
                    ],
                },
            }
        ],
    )
    html = client.get(_url(module)).content.decode()
    assert "Indicators are not proof." not in html  # rationale only after answering
    response = client.post(_url(module) + "check/check-one/", {"option": "1"})
    assert response.status_code == 302 and response["Location"].endswith(
        "#check-check-one"
    )
    html = client.get(_url(module)).content.decode()
    assert (
        "Indicators prompt questions." in html and "Indicators are not proof." in html
    )
    assert (
        client.post(_url(module) + "check/no-such/", {"option": "0"}).status_code == 404
    )
    bad = client.post(_url(module) + "check/check-one/", {"option": "9"}, follow=True)
    assert "Choose an answer first." in bad.content.decode()


def test_dashboard_queries_do_not_grow_with_courses(
    client, learner, course_index, django_assert_max_num_queries
):
    client.force_login(learner)

    def add_course():
        course = factories.make_course(index=course_index)
        for _ in range(3):
            factories.make_module(course=course)
        client.post(f"/en/courses/{course.slug}/enrol/")

    add_course()
    with count_queries() as one_course:
        client.get("/en/dashboard/")
    assert len(one_course) <= 18  # issue 16 brings every learner page to 8
    for _ in range(5):
        add_course()
    with django_assert_max_num_queries(len(one_course)):
        html = client.get("/en/dashboard/").content.decode()
    assert html.count("<progress") == 6


def test_catalogue_queries_do_not_grow_with_courses(
    client, learner, course_index, django_assert_max_num_queries
):
    client.force_login(learner)
    factories.make_course(index=course_index)
    client.get("/en/courses/")
    with count_queries() as one_course:
        client.get("/en/courses/")
    for _ in range(6):
        factories.make_course(index=course_index)
    with django_assert_max_num_queries(len(one_course)):
        html = client.get("/en/courses/").content.decode()
    assert html.count('class="card"') == 7


def test_a_course_with_learner_records_cannot_be_deleted(
    client, learner, course_page, modules
):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(
        email="admin@example.org", password="x-long-pass-9", full_name="Admin"
    )
    Enrollment.objects.create(
        user=learner, course=course_page, started_at=course_page.first_published_at
    )
    client.force_login(admin)
    response = client.post(f"/admin/pages/{course_page.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert type(course_page).objects.filter(pk=course_page.pk).exists()
    # A course nobody has started can still go.
    spare = factories.make_course(index=course_page.get_parent())
    client.post(f"/admin/pages/{spare.pk}/delete/")
    assert not type(spare).objects.filter(pk=spare.pk).exists()
