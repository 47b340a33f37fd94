"""Tampered input, other people's attempts, republishing, limits and races: each gets
a clear 4xx and writes nothing, or exactly one result."""

import os
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from academy.assessments import services
from academy.assessments.models import Accommodation, Attempt, AttemptAnswer
from academy.learning import services as learning_services

from .conftest import Taker

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="Row locks need PostgreSQL: CI runs this test there (DATABASE_URL).",
)


def _rows():
    return (
        AttemptAnswer.objects.count(),
        list(Attempt.objects.values_list("pending_feedback", "submitted_at")),
    )


@pytest.fixture
def at_first_step(taker):
    taker.start()
    taker.questions()
    return taker


def test_an_unknown_choice_is_a_400_and_writes_nothing(at_first_step):
    before = _rows()
    response = at_first_step.answer("s:corridor:arrive", "bribe")
    assert response.status_code == 400
    assert "not one of the choices" in response.content.decode()
    assert _rows() == before


def test_an_option_from_another_question_is_refused(taker):
    taker.start()
    attempt = Attempt.objects.get()
    first = attempt.snapshot["questions"][0]["key"]
    before = _rows()
    assert taker.answer(f"q:{first}", "z").status_code == 400
    assert taker.answer(f"q:{first}", "a", "b").status_code == 400  # single choice
    assert _rows() == before


def test_a_step_that_is_not_the_current_one_is_a_409(at_first_step):
    before = _rows()
    response = at_first_step.answer("s:corridor:refer", "refer-well")
    assert response.status_code == 409
    assert "not the current question" in response.content.decode()
    assert _rows() == before


def test_a_second_submit_and_a_replay_are_409s(at_first_step):
    at_first_step.answer("s:corridor:arrive", "ask")
    before = _rows()
    # The same step again (a double click), before and after continuing.
    assert at_first_step.answer("s:corridor:arrive", "accuse").status_code == 409
    at_first_step.proceed("s:corridor:arrive")
    before = _rows()
    assert at_first_step.answer("s:corridor:arrive", "accuse").status_code == 409
    # Continuing twice from an old tab.
    assert at_first_step.proceed("s:corridor:arrive").status_code == 409
    assert _rows() == before
    answer = AttemptAnswer.objects.get(item_key="s:corridor:arrive")
    assert answer.answer == {"choice": "ask"}


def test_someone_elses_attempt_is_a_404(
    at_first_step, client, other_learner, assessment
):
    client.force_login(other_learner)
    intruder = Taker(client, assessment)
    before = _rows()
    for response in (
        intruder.page(),
        intruder.answer("s:corridor:arrive", "ask"),
        intruder.proceed("q:q1"),
        client.get(intruder.url("attempts/1/result/")),
    ):
        assert response.status_code == 404
    assert _rows() == before


def test_a_submitted_attempt_never_changes(at_first_step):
    at_first_step.step("s:corridor:arrive", "ask")
    at_first_step.step("s:corridor:refer", "refer-well")
    attempt = Attempt.objects.get()
    scores = attempt.scores
    response = at_first_step.answer("s:corridor:refer", "refer-late")
    assert response.status_code == 409 and "finished" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.scores == scores


def test_republishing_changes_nothing_for_an_attempt_in_progress(
    at_first_step, assessment
):
    from academy.assessments.models import ScenarioPage

    at_first_step.step("s:corridor:arrive", "ask")
    scenario = ScenarioPage.objects.get()
    revision = scenario.get_latest_revision_as_object()
    steps = list(revision.steps.all())
    refer = next(s for s in steps if s.key == "refer")
    choices = list(refer.choices.all())
    for choice in choices:
        choice.text_en = "Rewritten " + choice.text_en
        choice.points = {"safety": 9}
    refer.choices = choices
    revision.steps = steps
    revision.save_revision().publish()
    html = at_first_step.page().content.decode()
    assert "Refer well" in html and "Rewritten" not in html
    at_first_step.step("s:corridor:refer", "refer-well")
    attempt = Attempt.objects.get(number=1)
    assert attempt.scores["parts"][1]["earned"] == 7  # the points at start
    # A new attempt takes the new version.
    fresh = services.snapshot_build(
        assessment=assessment, jurisdiction="us", role="police"
    )
    refer_now = next(s for s in fresh["scenarios"][0]["steps"] if s["key"] == "refer")
    assert refer_now["choices"][0]["text"]["en"].startswith("Rewritten")


def test_attempt_limits_and_when_the_next_opens(taker, assessment):
    assessment.attempts_allowed = 2
    assessment.save_revision().publish()
    for number in (1, 2):
        assert taker.start().status_code == 302
        taker.questions(number=number)
        taker.step("s:corridor:arrive", "ask", number=number)
        taker.step("s:corridor:refer", "refer-late", number=number)
    overview = taker.client.get(taker.url()).content.decode()
    assert "You have used every attempt for now. The next one opens on" in overview
    response = taker.start()
    assert response.status_code == 403 and Attempt.objects.count() == 2
    # Thirty days after the first attempt, one opens again.
    Attempt.objects.filter(number=1).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    assert taker.start().status_code == 302 and Attempt.objects.count() == 3


def test_a_critical_choice_requires_the_remediation_note_first(taker):
    taker.start()
    taker.questions()
    taker.step("s:corridor:arrive", "accuse")
    taker.step("s:corridor:repair", "apologise")
    taker.step("s:corridor:refer", "refer-well")
    response = taker.start()
    assert response.status_code == 403
    assert "read the note about your last attempt" in response.content.decode()
    note = taker.client.get(taker.url("attempts/1/remediation/")).content.decode()
    assert "Remediation for accuse." in note
    assert Attempt.objects.get().remediation_viewed_at is not None
    assert taker.start().status_code == 302


def test_an_open_attempt_is_resumed_not_duplicated(taker):
    taker.start()
    taker.start()
    assert Attempt.objects.count() == 1


def test_a_time_limit_with_extra_time_as_an_accommodation(
    taker, ready_learner, assessment
):
    assessment.time_limit_minutes = 20
    assessment.save_revision().publish()
    Accommodation.objects.create(
        user=ready_learner, assessment=assessment, extra_time_percent=50
    )
    taker.start()
    attempt = Attempt.objects.get()
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=30)
    Attempt.objects.update(deadline_at=timezone.now() - timedelta(seconds=1))
    first = attempt.snapshot["questions"][0]["key"]
    response = taker.answer(f"q:{first}", "a")
    assert response.status_code == 409 and "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.passed is False


def test_no_timer_by_default(taker):
    taker.start()
    assert Attempt.objects.get().deadline_at is None


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_submits_of_one_step_record_exactly_one_answer(
    ready_learner, assessment
):
    attempt = learning_services.attempt_start(
        user=ready_learner, assessment=assessment, declared_own_work=True
    )
    for q in attempt.snapshot["questions"]:
        services.attempt_answer_record(
            attempt_id=attempt.pk,
            user=ready_learner,
            item_key=f"q:{q['key']}",
            answer=["a"],
        )
        services.attempt_continue(
            attempt_id=attempt.pk, user=ready_learner, item_key=f"q:{q['key']}"
        )
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(choice):
        from django.db import connections

        try:
            barrier.wait()
            services.attempt_answer_record(
                attempt_id=attempt.pk,
                user=ready_learner,
                item_key="s:corridor:arrive",
                answer=[choice],
            )
            outcomes.append("recorded")
        except services.AttemptConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in ("ask", "accuse")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "recorded"]
    assert (
        AttemptAnswer.objects.filter(
            attempt=attempt, item_key="s:corridor:arrive"
        ).count()
        == 1
    )


def test_a_submitted_attempt_refuses_changes_even_from_code(at_first_step):
    at_first_step.step("s:corridor:arrive", "ask")
    at_first_step.step("s:corridor:refer", "refer-well")
    attempt = Attempt.objects.get()
    attempt.passed = False
    with pytest.raises(ValueError, match="never changed"):
        attempt.save()
    attempt.refresh_from_db()
    assert attempt.passed is True
    attempt.remediation_viewed_at = timezone.now()
    attempt.save(update_fields=["remediation_viewed_at", "updated_at"])  # allowed


def test_an_administrator_grants_extra_time_in_the_admin(
    client, ready_learner, assessment
):
    from academy.core.models import User

    admin = User.objects.create_superuser(
        email="grants@example.org", password="x-long-pass-9", full_name="Admin"
    )
    client.force_login(admin)
    response = client.post(
        "/admin/records/extra-time/new/",
        {
            "user": ready_learner.pk,
            "assessment": assessment.pk,
            "extra_time_percent": 25,
            "reason": "Reading accommodation",
        },
    )
    assert response.status_code == 302
    assert Accommodation.objects.get().extra_time_percent == 25
