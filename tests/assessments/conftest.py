import pytest

from academy.courses.models import Enrollment, ModuleProgress

from .. import factories


@pytest.fixture
def assessment(course_page):
    return factories.make_assessment(course=course_page)


@pytest.fixture
def ready_learner(learner, course_page, modules, assessment):
    """Enrolled, every module done: the assessment is open."""
    enrollment = Enrollment.objects.create(
        user=learner, course=course_page, started_at=course_page.first_published_at
    )
    for module in modules:
        ModuleProgress.objects.create(
            enrollment=enrollment,
            module=module,
            started_at=enrollment.started_at,
            last_viewed_at=enrollment.started_at,
            completed_at=enrollment.started_at,
        )
    return learner


class Taker:
    """Drives one attempt through the test client, as the forms on the pages do."""

    def __init__(self, client, assessment, lang="en"):
        self.client, self.assessment, self.lang = client, assessment, lang

    def url(self, suffix=""):
        course = self.assessment.get_parent()
        return f"/{self.lang}/courses/{course.slug}/{self.assessment.slug}/{suffix}"

    def start(self, **data):
        data.setdefault("own_work", "yes")
        return self.client.post(self.url("start/"), data)

    def page(self, number=1):
        return self.client.get(self.url(f"attempts/{number}/"))

    def answer(self, item, *answer, number=1):
        return self.client.post(
            self.url(f"attempts/{number}/answer/"),
            {"item": item, "answer": list(answer)},
        )

    def proceed(self, item, number=1):
        return self.client.post(
            self.url(f"attempts/{number}/continue/"), {"item": item}
        )

    def step(self, item, *answer, number=1):
        response = self.answer(item, *answer, number=number)
        assert response.status_code == 302, response.content.decode()[:500]
        response = self.proceed(item, number=number)
        assert response.status_code == 302
        return response

    def questions(self, number=1, right=True):
        from academy.assessments.models import Attempt

        attempt = Attempt.objects.get(assessment=self.assessment, number=number)
        for q in attempt.snapshot["questions"]:
            self.step(f"q:{q['key']}", "a" if right else "b", number=number)


@pytest.fixture
def taker(client, ready_learner, assessment):
    client.force_login(ready_learner)
    return Taker(client, assessment)
