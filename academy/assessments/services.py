"""Writes for attempts. Every write locks the attempt row first, checks the move is
the one the learner is allowed to make now, and writes nothing otherwise."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.core.i18n import texts_of
from academy.core.models import User
from academy.courses.models import Enrollment

from . import grading
from .definition import scenario_graph, step_rows
from .graph import max_path_points
from .models import Accommodation, AssessmentPage, Attempt, AttemptAnswer, ScenarioPage
from .selectors import answers_of, attempt_eligibility
from .types import Snapshot, SnapshotQuestion, SnapshotScenario, SnapshotStep

T = TypeVar("T")


class AttemptNotAllowed(ApplicationError):
    """The learner may not do this now (403)."""

    status = 403


class AttemptConflict(ApplicationError):
    """Not the move the attempt is waiting for: replay, second submit, old tab (409)."""

    status = 409


class AttemptInvalid(ApplicationError):
    """Malformed or tampered input (400)."""

    status = 400


def _scenario_snapshot(
    scenario: ScenarioPage, dim_keys: list[str], drawn: str
) -> SnapshotScenario:
    rows = step_rows(scenario)
    texts = {s.key: s for s in scenario.steps.all()}
    steps: list[SnapshotStep] = []
    for row in rows:
        step = texts[row["key"]]
        choices = {c.key: c for c in step.choices.all()}
        steps.append(
            cast(
                SnapshotStep,
                {
                    **row,
                    "narrative": texts_of(step, "narrative"),
                    "content_note": texts_of(step, "content_note"),
                    "prompt": texts_of(step, "prompt"),
                    "transcript": texts_of(step, "transcript"),
                    "media_url": step.media_url,
                    "choices": _shuffled(
                        {
                            **c,
                            "text": texts_of(choices[c["key"]], "text"),
                            "feedback": texts_of(choices[c["key"]], "feedback"),
                            "remediation": texts_of(choices[c["key"]], "remediation"),
                        }
                        for c in row["choices"]
                    ),
                },
            )
        )
    return {
        "key": scenario.content_key or str(scenario.pk),
        "roles": list(scenario.roles or []),
        "drawn": drawn,
        "title": texts_of(scenario, "title"),
        "intro": texts_of(scenario, "intro"),
        "content_note": texts_of(scenario, "content_note"),
        "steps": steps,
        "endings": [
            {
                "key": e.key,
                "title": texts_of(e, "title"),
                "summary": texts_of(e, "summary"),
                "remember": texts_of(e, "remember"),
            }
            for e in scenario.endings.all()
        ],
        "max": max_path_points(scenario_graph(scenario, dim_keys)),
    }


def _scenario_key(scenario: ScenarioPage) -> str:
    return scenario.content_key or str(scenario.pk)


def snapshot_build(
    *,
    assessment: AssessmentPage,
    jurisdiction: str,
    role: str,
    rng: random.Random | None = None,
) -> Snapshot:
    """Everything an attempt needs, copied at start: the questions drawn for the
    learner's jurisdiction (every module represented), the scenarios drawn for their
    work role, the graph, the pass rules and the text in every language. Later edits
    never reach it."""
    rng = rng or random.SystemRandom()
    dimensions = list(assessment.dimensions.all())
    dim_keys = [d.key for d in dimensions]
    questions = {q.key: q for q in assessment.questions.all()}
    rows = [
        {"key": q.key, "module": q.module_key, "jurisdiction": q.jurisdiction}
        for q in questions.values()
    ]
    drawn = grading.draw_questions(
        rows, draw=assessment.bank_draw, jurisdiction=jurisdiction, rng=rng
    )
    live = {
        _scenario_key(s): s
        for s in ScenarioPage.objects.live().child_of(assessment).order_by("path")
    }
    chosen = grading.draw_scenarios(
        [{"key": k, "roles": list(s.roles or [])} for k, s in live.items()],
        count=assessment.scenario_draw,
        role=role,
        rng=rng,
    )
    return {
        "schema": Attempt.SCHEMA_VERSION,
        "revision": assessment.live_revision_id,
        "title": texts_of(assessment, "title"),
        "jurisdiction": jurisdiction,
        "role": role,
        "rules": {
            "scenario_pass_percent": assessment.scenario_pass_percent,
            "knowledge_pass_percent": assessment.knowledge_pass_percent,
            "bank_draw": assessment.bank_draw,
            "scenario_draw": assessment.scenario_draw,
            "harmful_fails": True,
        },
        "dimensions": [
            {"key": d.key, "label": texts_of(d, "label")} for d in dimensions
        ],
        "questions": [_question_snapshot(questions[key]) for key in drawn],
        "scenarios": [
            _scenario_snapshot(live[key], dim_keys, why) for key, why in chosen
        ],
    }


def _question_snapshot(question) -> SnapshotQuestion:
    return {
        "key": question.key,
        "module": question.module_key,
        "jurisdiction": question.jurisdiction,
        "multiple": question.multiple,
        "question": texts_of(question, "question"),
        "options": _shuffled(
            {
                "key": o.key,
                "correct": o.correct,
                "mistake": o.mistake,
                "text": texts_of(o, "text"),
                "rationale": texts_of(o, "rationale"),
            }
            for o in question.options.all()
        ),
    }


def _shuffled(items: Iterable[T]) -> list[T]:
    """The order options and choices appear in, fixed per attempt: no answer is
    always first, so position teaches nothing."""
    items = list(items)
    random.SystemRandom().shuffle(items)
    return items


def _locked(attempt_id: int) -> Attempt:
    return Attempt.objects.select_for_update().get(pk=attempt_id)


@transaction.atomic
def attempt_start(
    *,
    user: User,
    assessment: AssessmentPage,
    enrollment: Enrollment,
    declared_own_work: bool,
    jurisdiction: str,
    role: str,
) -> Attempt:
    """Open a new attempt, or refuse with the reason; an open attempt is resumed.

    The course-level conditions (enrolled, modules done, prerequisites) are the
    caller's (academy.learning); here are the attempt's own: the declaration, the
    number of attempts in the window, and the note after a critical choice."""
    if not declared_own_work:
        raise AttemptInvalid(_("Confirm that you are taking this assessment yourself."))
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.user_id != user.pk:
        raise AttemptNotAllowed(_("Enrol in the course before taking its assessment."))
    open_attempt = (
        Attempt.objects.in_progress().filter(user=user, assessment=assessment).first()
    )
    if open_attempt is not None:
        return open_attempt
    eligibility = attempt_eligibility(user=user, assessment=assessment)
    if not eligibility.can_start:
        raise AttemptNotAllowed(eligibility.reason)
    now = timezone.now()
    deadline = None
    if assessment.time_limit_minutes:
        extra = Accommodation.objects.filter(user=user, assessment=assessment).first()
        minutes = assessment.time_limit_minutes * (
            1 + (extra.extra_time_percent if extra else 0) / 100
        )
        deadline = now + timedelta(minutes=minutes)
    last = (
        Attempt.objects.filter(user=user, assessment=assessment)
        .order_by("-number")
        .first()
    )
    attempt = Attempt(
        user=user,
        assessment=assessment,
        enrollment=enrollment,
        number=(last.number + 1) if last else 1,
        started_at=now,
        declared_own_work_at=now,
        deadline_at=deadline,
        snapshot=snapshot_build(
            assessment=assessment, jurisdiction=jurisdiction, role=role
        ),
    )
    attempt.full_clean()
    attempt.save()
    return attempt


def _check_open(attempt: Attempt, user: User) -> None:
    if attempt.user_id != user.pk:
        raise AttemptNotAllowed(_("This attempt is not yours."))
    if attempt.is_submitted:
        raise AttemptConflict(
            _("This attempt is finished; its answers can no longer change.")
        )


@transaction.atomic
def attempt_expire_if_due(*, attempt_id: int) -> bool:
    """Submit a timed attempt whose time is up, with the answers given. True if so."""
    attempt = _locked(attempt_id)
    if (
        attempt.is_submitted
        or not attempt.deadline_at
        or timezone.now() <= attempt.deadline_at
    ):
        return False
    attempt_submit(attempt=attempt)
    return True


def attempt_answer_record(
    *, attempt_id: int, user: User, item_key: str, answer: list[str]
) -> AttemptAnswer:
    """Record the learner's answer to the item the attempt is waiting for."""
    if attempt_expire_if_due(attempt_id=attempt_id):
        raise AttemptConflict(
            _("Time is up. Your attempt was submitted with the answers you gave.")
        )
    with transaction.atomic():
        return _answer_record(
            attempt_id=attempt_id, user=user, item_key=item_key, answer=answer
        )


def _answer_record(
    *, attempt_id: int, user: User, item_key: str, answer: list[str]
) -> AttemptAnswer:
    attempt = _locked(attempt_id)
    _check_open(attempt, user)
    if attempt.pending_feedback:
        raise AttemptConflict(
            _("Read the feedback and continue before answering again.")
        )
    item = grading.current_item(attempt.snapshot, answers_of(attempt))
    if item.kind == grading.DONE or item_key != item.key:
        raise AttemptConflict(
            _(
                "That is not the current question: it was answered already, or the "
                "page "
                "is out of date. Your attempt is waiting where you left it."
            )
        )
    if not answer:
        raise AttemptInvalid(_("Choose an answer first."))
    now = timezone.now()
    if item.kind == grading.QUESTION:
        assert item.question is not None
        known = {o["key"] for o in item.question["options"]}
        if len(set(answer)) != len(answer) or not set(answer) <= known:
            raise AttemptInvalid(_("That answer is not one of the options."))
        if not item.question["multiple"] and len(answer) != 1:
            raise AttemptInvalid(_("Choose one answer."))
        row = AttemptAnswer(
            attempt=attempt,
            item_key=item.key,
            answer={"options": sorted(answer)},
            is_correct=grading.question_correct(item.question, answer),
            answered_at=now,
        )
    else:
        assert item.step is not None
        choice = next((c for c in item.step["choices"] if [c["key"]] == answer), None)
        if choice is None:
            raise AttemptInvalid(_("That answer is not one of the choices."))
        row = AttemptAnswer(
            attempt=attempt,
            item_key=item.key,
            answer={"choice": choice["key"]},
            points=choice["points"],
            grade=choice["grade"],
            answered_at=now,
        )
        if choice["grade"] == "critical":
            attempt.had_critical = True
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:  # the database's own guard against a double submit
        raise AttemptConflict(_("That answer was already recorded.")) from error
    attempt.pending_feedback = item.key
    attempt.save(update_fields=["pending_feedback", "had_critical", "updated_at"])
    return row


@transaction.atomic
def attempt_continue(*, attempt_id: int, user: User, item_key: str) -> Attempt:
    """Move past the feedback on the item just answered; grade when nothing is left.
    What a pass earns (a certificate) is the caller's to issue: academy.learning."""
    attempt = _locked(attempt_id)
    _check_open(attempt, user)
    if attempt.pending_feedback != item_key:
        raise AttemptConflict(
            _("This page is out of date. Your attempt is waiting where you left it.")
        )
    attempt.pending_feedback = ""
    attempt.save(update_fields=["pending_feedback", "updated_at"])
    if grading.current_item(attempt.snapshot, answers_of(attempt)).kind == grading.DONE:
        attempt_submit(attempt=attempt)
    return attempt


def attempt_submit(*, attempt: Attempt) -> Attempt:
    """Grade from the snapshot and close the attempt. Called with the row locked."""
    if attempt.is_submitted:
        return attempt
    result = grading.grade(attempt.snapshot, answers_of(attempt))
    attempt.scores = result
    attempt.passed = result["passed"]
    attempt.submitted_at = timezone.now()
    attempt.pending_feedback = ""
    attempt.save(
        update_fields=[
            "scores",
            "passed",
            "submitted_at",
            "pending_feedback",
            "updated_at",
        ]
    )
    return attempt


@transaction.atomic
def attempt_remediation_view(*, attempt_id: int, user: User) -> Attempt:
    attempt = _locked(attempt_id)
    if attempt.user_id != user.pk:
        raise AttemptNotAllowed(_("This attempt is not yours."))
    if attempt.remediation_viewed_at is None:
        attempt.remediation_viewed_at = timezone.now()
        attempt.save(update_fields=["remediation_viewed_at", "updated_at"])
    return attempt
