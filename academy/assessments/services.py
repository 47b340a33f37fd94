"""Writes for attempts. Every write locks the attempt row first, checks the move is
the one the learner is allowed to make now, and writes nothing otherwise."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.courses.models import Enrollment

from . import attempts as rules
from .definition import scenario_graph, step_rows
from .graph import max_path_points
from .models import Accommodation, AssessmentPage, Attempt, AttemptAnswer, ScenarioPage

LANGS = [code for code, _name in settings.LANGUAGES]


class AttemptNotAllowed(ApplicationError):
    """The learner may not do this now (403)."""

    status = 403


class AttemptConflict(ApplicationError):
    """Not the move the attempt is waiting for: replay, second submit, old tab (409)."""

    status = 409


class AttemptInvalid(ApplicationError):
    """Malformed or tampered input (400)."""

    status = 400


def _texts(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}") or "" for lang in LANGS}


def snapshot_build(*, assessment: AssessmentPage, drawn: list[str]) -> dict:
    """Everything an attempt needs, copied at start: graph, drawn questions, pass
    rules and text in every language. Later edits never reach it."""
    dimensions = list(assessment.dimensions.all())
    dim_keys = [d.key for d in dimensions]
    questions = {q.key: q for q in assessment.questions.all()}
    scenarios = []
    for scenario in ScenarioPage.objects.live().child_of(assessment).order_by("path"):
        rows = step_rows(scenario)
        texts = {s.key: s for s in scenario.steps.all()}
        steps = []
        for row in rows:
            step = texts[row["key"]]
            choices = {c.key: c for c in step.choices.all()}
            steps.append(
                {
                    **row,
                    "narrative": _texts(step, "narrative"),
                    "content_note": _texts(step, "content_note"),
                    "prompt": _texts(step, "prompt"),
                    "transcript": _texts(step, "transcript"),
                    "media_url": step.media_url,
                    "choices": _shuffled(
                        {
                            **c,
                            "text": _texts(choices[c["key"]], "text"),
                            "feedback": _texts(choices[c["key"]], "feedback"),
                            "remediation": _texts(choices[c["key"]], "remediation"),
                        }
                        for c in row["choices"]
                    ),
                }
            )
        scenarios.append(
            {
                "key": scenario.content_key or str(scenario.pk),
                "title": {
                    lang: getattr(scenario, f"title_{lang}") or "" for lang in LANGS
                },
                "intro": _texts(scenario, "intro"),
                "content_note": _texts(scenario, "content_note"),
                "steps": steps,
                "endings": [
                    {
                        "key": e.key,
                        "title": _texts(e, "title"),
                        "summary": _texts(e, "summary"),
                        "remember": _texts(e, "remember"),
                    }
                    for e in scenario.endings.all()
                ],
                "max": max_path_points(scenario_graph(scenario, dim_keys)),
            }
        )
    return {
        "schema": Attempt.SCHEMA_VERSION,
        "revision": assessment.live_revision_id,
        "title": {lang: getattr(assessment, f"title_{lang}") or "" for lang in LANGS},
        "rules": {
            "scenario_pass_percent": assessment.scenario_pass_percent,
            "knowledge_pass_percent": assessment.knowledge_pass_percent,
            "bank_draw": assessment.bank_draw,
        },
        "dimensions": [{"key": d.key, "label": _texts(d, "label")} for d in dimensions],
        "questions": [
            {
                "key": key,
                "multiple": questions[key].multiple,
                "question": _texts(questions[key], "question"),
                "options": _shuffled(
                    {
                        "key": o.key,
                        "correct": o.correct,
                        "text": _texts(o, "text"),
                        "rationale": _texts(o, "rationale"),
                    }
                    for o in questions[key].options.all()
                ),
            }
            for key in drawn
        ],
        "scenarios": scenarios,
    }


def _shuffled(items: list) -> list:
    """The order options and choices appear in, fixed per attempt: no answer is
    always first, so position teaches nothing."""
    items = list(items)
    random.SystemRandom().shuffle(items)
    return items


def _answers(attempt: Attempt) -> dict[str, dict]:
    return {a.item_key: a.answer for a in attempt.answers.all()}


def _locked(attempt_id: int) -> Attempt:
    return Attempt.objects.select_for_update().get(pk=attempt_id)


@transaction.atomic
def attempt_start(
    *, user, assessment: AssessmentPage, declared_own_work: bool
) -> Attempt:
    """Open a new attempt, or refuse with the reason. An open attempt is resumed."""
    from .selectors import assessment_eligibility

    if not declared_own_work:
        raise AttemptInvalid(_("Confirm that you are taking this assessment yourself."))
    course = assessment.get_parent().specific
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=user, course=course)
        .order_by("-cycle")
        .first()
    )
    if enrollment is None:
        raise AttemptNotAllowed(_("Enrol in the course before taking its assessment."))
    open_attempt = (
        Attempt.objects.in_progress().filter(user=user, assessment=assessment).first()
    )
    if open_attempt is not None:
        return open_attempt
    eligibility = assessment_eligibility(user=user, assessment=assessment)
    if not eligibility.can_start:
        raise AttemptNotAllowed(eligibility.reason)
    keys = [q.key for q in assessment.questions.all()]
    drawn = random.SystemRandom().sample(keys, min(assessment.bank_draw, len(keys)))
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
        snapshot=snapshot_build(assessment=assessment, drawn=drawn),
    )
    attempt.full_clean()
    attempt.save()
    return attempt


def _check_open(attempt: Attempt, user) -> None:
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
    *, attempt_id: int, user, item_key: str, answer: list[str]
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
    *, attempt_id: int, user, item_key: str, answer: list[str]
) -> AttemptAnswer:
    attempt = _locked(attempt_id)
    _check_open(attempt, user)
    if attempt.pending_feedback:
        raise AttemptConflict(
            _("Read the feedback and continue before answering again.")
        )
    item = rules.current_item(attempt.snapshot, _answers(attempt))
    if item.kind == rules.DONE or item_key != item.key:
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
    if item.kind == rules.QUESTION:
        known = {o["key"] for o in item.question["options"]}
        if len(set(answer)) != len(answer) or not set(answer) <= known:
            raise AttemptInvalid(_("That answer is not one of the options."))
        if not item.question["multiple"] and len(answer) != 1:
            raise AttemptInvalid(_("Choose one answer."))
        row = AttemptAnswer(
            attempt=attempt,
            item_key=item.key,
            answer={"options": sorted(answer)},
            is_correct=rules.question_correct(item.question, answer),
            answered_at=now,
        )
    else:
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
def attempt_continue(
    *, attempt_id: int, user, item_key: str, client_address: str | None = None
) -> Attempt:
    """Move past the feedback on the item just answered; grade when nothing is left."""
    attempt = _locked(attempt_id)
    _check_open(attempt, user)
    if attempt.pending_feedback != item_key:
        raise AttemptConflict(
            _("This page is out of date. Your attempt is waiting where you left it.")
        )
    attempt.pending_feedback = ""
    attempt.save(update_fields=["pending_feedback", "updated_at"])
    if rules.current_item(attempt.snapshot, _answers(attempt)).kind == rules.DONE:
        attempt_submit(attempt=attempt, client_address=client_address)
    return attempt


def attempt_submit(*, attempt: Attempt, client_address: str | None = None) -> Attempt:
    """Grade from the snapshot and close the attempt. Called with the row locked."""
    if attempt.is_submitted:
        return attempt
    result = rules.grade(attempt.snapshot, _answers(attempt))
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
    if attempt.passed:  # the course may now be earned
        from academy.certificates.services import certificate_issue

        certificate_issue(enrollment=attempt.enrollment, client_address=client_address)
    return attempt


@transaction.atomic
def attempt_remediation_view(*, attempt_id: int, user) -> Attempt:
    attempt = _locked(attempt_id)
    if attempt.user_id != user.pk:
        raise AttemptNotAllowed(_("This attempt is not yours."))
    if attempt.remediation_viewed_at is None:
        attempt.remediation_viewed_at = timezone.now()
        attempt.save(update_fields=["remediation_viewed_at", "updated_at"])
    return attempt
