"""Every signed-in learner page runs a small, fixed number of queries, however many
courses, modules, enrolments and attempts there are (issue 16: at most 8 on a site of
20 courses of 8 modules, the learner enrolled in all of them). Counted as the page is
rendered (kept pages off), and as it is served again unchanged (core.page_cache)."""

import pytest
from django.utils import timezone

from academy.courses.models import Enrollment, ModuleProgress

from .. import factories
from ..assessments.conftest import Taker
from ..utils import count_queries

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def _enrol_all(learner, courses, modules_of, *, done: bool):
    now = timezone.now()
    for course in courses:
        enrollment = Enrollment.objects.create(
            user=learner, course=course, started_at=now
        )
        ModuleProgress.objects.bulk_create(
            ModuleProgress(
                enrollment=enrollment,
                module=module,
                started_at=now,
                last_viewed_at=now,
                completed_at=now if done else None,
            )
            for module in modules_of[course.pk]
        )


def _site(course_index, learner, client, *, courses: int, modules: int):
    """`courses` courses of `modules` modules, the learner enrolled in all, the last
    three with an assessment: one attempt waiting on a question, one on a scenario
    step, one finished (its result). Returns the pages' addresses."""
    made = [factories.make_course(index=course_index) for _ in range(courses)]
    modules_of = {
        c.pk: [factories.make_module(course=c) for _ in range(modules)] for c in made
    }
    question_course, step_course, result_course = made[-3:]
    assessments = {
        c.pk: factories.make_assessment(course=c)
        for c in (question_course, step_course, result_course)
    }
    # Every module of the assessed courses done; the others half read.
    _enrol_all(learner, made[-3:], modules_of, done=True)
    _enrol_all(learner, made[:-3], modules_of, done=False)
    client.force_login(learner)
    on_question = Taker(client, assessments[question_course.pk])
    on_question.start()
    on_step = Taker(client, assessments[step_course.pk])
    on_step.start()
    on_step.questions(right=True)
    finished = Taker(client, assessments[result_course.pk])
    finished.start()
    finished.questions(right=True)
    finished.step("s:corridor:arrive", "ask")
    finished.step("s:corridor:refer", "refer-well")
    first = made[0]
    lesson = modules_of[first.pk][1]
    return {
        "catalogue": "/en/courses/",
        "course": f"/en/courses/{first.slug}/",
        "lesson": f"/en/courses/{first.slug}/{lesson.slug}/",
        "My learning": "/en/dashboard/",
        "assessment": on_question.url(),
        "question": on_question.url("attempts/1/"),
        "scenario step": on_step.url("attempts/1/"),
        "result": finished.url("attempts/1/result/"),
    }


def _counts(client, pages, sql=None) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        client.get(url)  # what a publish made is in the shared cache from here on
        with count_queries() as seen:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(seen)
        if sql is not None:
            sql[name] = seen
    return counts


def test_learner_pages_run_at_most_eight_queries_on_a_large_site(
    client, learner, course_index, settings
):
    settings.ACADEMY_LEARNER_PAGES_KEPT = False
    pages = _site(course_index, learner, client, courses=20, modules=8)
    sql: dict[str, list[str]] = {}
    counts = _counts(client, pages, sql)
    over = {name: sql[name] for name, n in counts.items() if n > MAX_QUERIES}
    assert not over, (counts, over)
    # What the pages show is the learner's own record.
    assert client.get(pages["My learning"]).content.decode().count("<progress") == 20
    result = client.get(pages["result"]).content.decode()
    assert "You passed" in result
    assert "Question 1 of 2" in client.get(pages["question"]).content.decode()
    assert "You arrive." in client.get(pages["scenario step"]).content.decode()


def test_learner_pages_run_the_same_queries_at_any_size(
    client, learner, other_learner, course_index, settings
):
    settings.ACADEMY_LEARNER_PAGES_KEPT = False
    small = _counts(client, _site(course_index, learner, client, courses=4, modules=2))
    big = _counts(
        client, _site(course_index, other_learner, client, courses=12, modules=5)
    )
    assert big == small


def test_learner_pages_seen_again_unchanged_run_three_queries_at_any_size(
    client, learner, other_learner, course_index
):
    """The session, the person and the stamp of what the page shows."""
    small = _counts(client, _site(course_index, learner, client, courses=4, modules=2))
    big = _counts(
        client, _site(course_index, other_learner, client, courses=12, modules=5)
    )
    assert big == small == dict.fromkeys(small, 3)
