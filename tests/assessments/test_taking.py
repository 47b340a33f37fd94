"""Taking the certifying assessment through the pages, as a learner does."""

import pytest

from academy.assessments.models import Attempt
from academy.progress.selectors import CourseState, course_status_for_user

pytestmark = pytest.mark.django_db


def test_a_passing_attempt_from_start_to_result(taker, ready_learner, course_page):
    response = taker.start()
    assert response.status_code == 302 and response["Location"].endswith("/attempts/1/")
    attempt = Attempt.objects.get()
    assert attempt.declared_own_work_at is not None
    assert (
        len(attempt.snapshot["questions"]) == 2
    )  # the draw is recorded on the attempt

    html = taker.page().content.decode()
    assert "Question 1 of 2" in html
    taker.questions(right=True)

    html = taker.page().content.decode()
    assert "You arrive." in html and "Ask gently" in html and "Accuse her" in html
    taker.step("s:corridor:arrive", "ask")
    # safety 2 is not < 2: routed straight on to "refer".
    html = taker.page().content.decode()
    assert "Time to refer." in html
    response = taker.answer("s:corridor:refer", "refer-well")
    feedback = taker.page().content.decode()
    assert "Feedback for refer-well." in feedback and "She is safe." in feedback
    response = taker.proceed("s:corridor:refer")
    assert response["Location"].endswith("/attempts/1/result/")

    attempt.refresh_from_db()
    assert attempt.passed is True and attempt.submitted_at
    knowledge, scenario = attempt.scores["parts"]
    assert knowledge["percent"] == 100.0
    assert (
        scenario["earned"] == 7 and scenario["max"] == 8 and scenario["percent"] == 87.5
    )
    assert scenario["dimensions"] == {
        "safety": {"earned": 4, "max": 4},
        "trust": {"earned": 3, "max": 4},
    }
    result = taker.client.get(taker.url("attempts/1/result/")).content.decode()
    assert "You passed" in result and "Feedback for ask." in result
    assert "3 / 4" in result  # trust, per dimension
    status = course_status_for_user(user=ready_learner, course=course_page)
    # Passing the last part earns the course: the certificate is issued at once.
    assert status.state == CourseState.CERTIFIED
    assert status.assessment_passed and status.modules_complete


def test_a_critical_choice_continues_to_an_ending_but_cannot_pass(taker):
    taker.start()
    taker.questions(right=True)
    taker.step("s:corridor:arrive", "accuse")
    # No safety points gathered: routing sends the learner to repair.
    assert "She is silent." in taker.page().content.decode()
    taker.step("s:corridor:repair", "apologise")
    taker.step("s:corridor:refer", "refer-well")
    attempt = Attempt.objects.get()
    scenario = attempt.scores["parts"][1]
    assert scenario["critical"] == ["accuse"] and scenario["percent"] == 62.5
    assert attempt.passed is False and attempt.had_critical
    result = taker.client.get(taker.url("attempts/1/result/")).content.decode()
    assert "Not passed this time" in result and "Read the note" in result


def test_below_the_scenario_threshold_fails_without_any_critical_choice(taker):
    taker.start()
    taker.questions(right=True)
    taker.step("s:corridor:arrive", "ask")
    taker.step("s:corridor:refer", "refer-late")  # 3 of 8 points
    attempt = Attempt.objects.get()
    assert attempt.scores["parts"][1]["percent"] == 37.5 and not attempt.passed


def test_the_knowledge_part_must_pass_too(taker):
    taker.start()
    taker.questions(right=False)
    taker.step("s:corridor:arrive", "ask")
    taker.step("s:corridor:refer", "refer-well")
    attempt = Attempt.objects.get()
    assert attempt.scores["parts"][0]["percent"] == 0.0
    assert attempt.scores["parts"][1]["passed"] is True
    assert attempt.passed is False


def test_unchosen_consequences_never_reach_the_page(taker):
    taker.start()
    taker.questions()
    html = taker.page().content.decode()
    assert "Ask gently" in html
    for secret in (
        "Feedback for",
        "critical",
        "best",
        "safety",
        "Remediation for",
        "repair",
    ):
        assert secret not in html.split('id="main"')[1], secret
    taker.answer("s:corridor:arrive", "ask")
    html = taker.page().content.decode()
    assert "Feedback for ask." in html and "Feedback for accuse." not in html


def test_the_assessment_opens_only_when_every_module_is_done(
    client, learner, course_page, modules, assessment
):
    from academy.courses.models import Enrollment

    from .conftest import Taker

    Enrollment.objects.create(
        user=learner, course=course_page, started_at=course_page.first_published_at
    )
    client.force_login(learner)
    taker = Taker(client, assessment)
    overview = client.get(taker.url()).content.decode()
    assert "opens once every module is done (0 of 3 so far)" in overview
    response = taker.start()
    assert response.status_code == 403 and not Attempt.objects.exists()
    # A course may open its assessment without the modules.
    assessment.requires_modules = False
    assessment.save_revision().publish()
    assert taker.start().status_code == 302


def test_starting_needs_the_own_work_declaration(taker):
    response = taker.start(own_work="")
    assert response.status_code == 400
    assert "taking this assessment yourself" in response.content.decode()
    assert not Attempt.objects.exists()


def test_pause_and_resume_at_the_same_step_in_another_language(taker):
    taker.start()
    taker.questions()
    taker.answer("s:corridor:arrive", "ask")
    # Leave during the feedback; come back in Spanish: same place, Spanish text.
    taker.lang = "es"
    html = taker.page().content.decode()
    assert "Comentario ask." in html and 'lang="es"' in html
    taker.proceed("s:corridor:arrive")
    html = taker.page().content.decode()
    assert "Refer well [es]" in html
    # A text with no Spanish falls back to English rather than breaking.
    assert "Time to refer." in html


def test_the_same_path_scores_the_same_in_every_language(
    client, ready_learner, assessment, other_learner, course_page, modules
):
    from .conftest import Taker

    scores = []
    for lang in ("en", "es"):
        Attempt.objects.all().delete()
        client.force_login(ready_learner)
        taker = Taker(client, assessment, lang=lang)
        taker.start()
        taker.questions()
        taker.step("s:corridor:arrive", "accuse")
        taker.step("s:corridor:repair", "apologise")
        taker.step("s:corridor:refer", "refer-well")
        scores.append(Attempt.objects.get().scores)
    assert scores[0] == scores[1]


def test_structure_is_not_translated():
    from academy.assessments.models import ScenarioChoice, ScenarioStep

    choice_fields = {f.name for f in ScenarioChoice._meta.get_fields()}
    assert {"text_es", "feedback_ar"} <= choice_fields
    assert not {"next_key_es", "grade_es", "points_es", "key_es"} & choice_fields
    step_fields = {f.name for f in ScenarioStep._meta.get_fields()}
    assert "narrative_fr" in step_fields and "route_next_fr" not in step_fields


def test_the_dashboard_points_to_the_assessment_then_shows_it_passed(taker):
    dashboard = taker.client.get("/en/dashboard/").content.decode()
    assert "Next step: the certifying assessment." in dashboard
    assert taker.url() in dashboard
    taker.start()
    taker.questions()
    taker.step("s:corridor:arrive", "ask")
    taker.step("s:corridor:refer", "refer-well")
    dashboard = taker.client.get("/en/dashboard/").content.decode()
    assert "Next step: the certifying assessment." not in dashboard
    assert 'class="status certified"' in dashboard
