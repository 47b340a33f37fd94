"""Reads for assessments: the attempt-level rules for starting, the item a learner is
on, results, and a learner's attempts for the people allowed to see them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from academy.core.models import User

from . import grading
from .models import AssessmentPage, Attempt, AttemptAnswer, ScenarioPage


def assessment_for_course(*, course) -> AssessmentPage | None:
    return AssessmentPage.objects.live().child_of(course).first()


@dataclass
class Eligibility:
    can_start: bool
    reason: str = ""
    remaining: int = 0
    next_opens_at: datetime | None = None
    remediation_attempt: Attempt | None = None
    missing_prerequisites: list = field(default_factory=list)  # courses to pass first


def attempt_eligibility(
    *, user: User, assessment: AssessmentPage, attempts: list[Attempt] | None = None
) -> Eligibility:
    """The attempt's own rules: attempts left in the window, and the note to read
    after a critical choice. (Whether the course lets the learner start at all —
    enrolled, modules done, prerequisites — is academy.learning's question.)
    A page that has read the learner's attempts (`attempts_for_user`) passes them
    and nothing is read again."""
    if attempts is None:
        attempts = attempts_for_user(user=user, assessment=assessment)
    window_start = timezone.now() - timedelta(days=assessment.attempt_window_days)
    recent = sorted(
        (a for a in attempts if a.started_at >= window_start),
        key=lambda a: a.started_at,
    )
    remaining = max(0, assessment.attempts_allowed - len(recent))
    last = max(attempts, key=lambda a: a.number, default=None)
    if (
        last
        and last.is_submitted
        and last.had_critical
        and last.remediation_viewed_at is None
    ):
        return Eligibility(
            False,
            _("Before trying again, read the note about your last attempt."),
            remaining=remaining,
            remediation_attempt=last,
        )
    if remaining == 0:
        opens = recent[0].started_at + timedelta(days=assessment.attempt_window_days)
        return Eligibility(
            False,
            _("You have used every attempt for now. The next one opens on %(date)s.")
            % {"date": timezone.localtime(opens).strftime("%Y-%m-%d")},
            remaining=0,
            next_opens_at=opens,
        )
    return Eligibility(True, remaining=remaining)


def attempts_for_user(*, user: User, assessment: AssessmentPage) -> list[Attempt]:
    if not getattr(user, "is_authenticated", False):
        return []
    # The snapshot (the whole assessment as it was taken) is read only by the page
    # that needs it, for the one attempt it shows.
    return list(
        Attempt.objects.filter(user=user, assessment=assessment)
        .defer("snapshot")
        .order_by("-number")
    )


def scenarios_live(*, assessment: AssessmentPage) -> list[ScenarioPage]:
    return list(ScenarioPage.objects.live().child_of(assessment).order_by("path"))


def attempt_get_for_user(
    *, user: User, assessment: AssessmentPage, number: int
) -> Attempt | None:
    """The learner's own attempt, or None: nobody reaches another person's attempt."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Attempt.objects.filter(
        user=user, assessment=assessment, number=number
    ).first()


def attempts_on_courses(*, user: User, course_ids: Iterable[int]) -> list[Attempt]:
    """A person's attempts at the assessments of these courses only (a coordinator
    sees the courses their organisation assigned, never the rest)."""
    return list(
        Attempt.objects.filter(user=user, enrollment__course_id__in=list(course_ids))
        .select_related("assessment")
        .order_by("-started_at")
    )


def answers_of(attempt: Attempt) -> dict[str, dict]:
    """{item key: answer} of an attempt: the one reading every rule walks."""
    return {a.item_key: a.answer for a in AttemptAnswer.objects.filter(attempt=attempt)}


def attempt_position(*, attempt: Attempt) -> dict[str, Any]:
    """What the learner sees now: the feedback just earned, or the next item. Only
    the chosen choice's consequences are included, never the others'."""
    answers = answers_of(attempt)
    snapshot = attempt.snapshot
    total_questions = len(snapshot["questions"])
    answered_questions = sum(1 for k in answers if grading.is_question_item(k))
    if attempt.pending_feedback:
        question, scenario, step = grading.find_item(snapshot, attempt.pending_feedback)
        answer = answers[attempt.pending_feedback]
        feedback: dict[str, Any] = {
            "mode": "feedback",
            "item_key": attempt.pending_feedback,
            "question": question,
            "scenario": scenario,
            "step": step,
        }
        if question:
            chosen = set(answer["options"])
            feedback["options"] = [
                {**o, "chosen": o["key"] in chosen} for o in question["options"]
            ]
            feedback["is_correct"] = grading.question_correct(question, list(chosen))
        elif step is not None and scenario is not None:
            feedback["choice"] = next(
                c for c in step["choices"] if c["key"] == answer["choice"]
            )
            walk = grading.walk_scenario(snapshot, scenario, answers)
            feedback["ending"] = walk.ending if walk.stop is None else None
        return feedback
    item = grading.current_item(snapshot, answers)
    if item.kind == grading.DONE:
        return {"mode": "done"}
    context: dict[str, Any] = {
        "mode": item.kind,
        "item_key": item.key,
        "question": item.question,
        "scenario": item.scenario,
        "step": item.step,
        "question_number": answered_questions + 1,
        "question_total": total_questions,
    }
    if item.step and item.scenario:
        # The learner sees the choices' text only; grades, points and feedback stay
        # on the server until a choice is made.
        context["choices"] = [
            {"key": c["key"], "text": c["text"]} for c in item.step["choices"]
        ]
        context["first_step"] = item.step["key"] == item.scenario["steps"][0][
            "key"
        ] and not any(grading.is_step_item(k, item.scenario["key"]) for k in answers)
    if item.question:
        context["options"] = [
            {"key": o["key"], "text": o["text"]} for o in item.question["options"]
        ]
    return context


def attempt_result(*, attempt: Attempt) -> dict:
    """The result page: per part and dimension, and every step with its feedback."""
    answers = answers_of(attempt)
    snapshot = attempt.snapshot
    labels = {d["key"]: d["label"] for d in snapshot["dimensions"]}
    parts = []
    for part in attempt.scores.get("parts", []):
        part = dict(part)
        if part["kind"] == "scenario":
            scenario = next(s for s in snapshot["scenarios"] if s["key"] == part["key"])
            walk = grading.walk_scenario(snapshot, scenario, answers)
            part["scenario"] = scenario
            part["path"] = [{"step": s, "choice": c} for s, c in walk.path]
            part["ending_data"] = walk.ending
            part["dimension_rows"] = [
                {"label": labels.get(k, {}), **v} for k, v in part["dimensions"].items()
            ]
        else:
            part["questions"] = [
                {
                    "question": q,
                    "chosen": answers.get(grading.question_item(q["key"]), {}).get(
                        "options", []
                    ),
                    "correct": grading.question_correct(
                        q,
                        answers.get(grading.question_item(q["key"]), {}).get(
                            "options", []
                        ),
                    ),
                }
                for q in snapshot["questions"]
            ]
        parts.append(part)
    return {"parts": parts}


def attempt_is_practice(
    *, attempt: Attempt, attempts: list[Attempt] | None = None
) -> bool:
    """An attempt begun after the learner passed in the same cycle is practice: it
    never issues or changes a certificate (the first passing attempt is the one the
    certificate rests on). `attempts`: the learner's attempts at this assessment
    (`attempts_for_user`), when the page has read them."""
    if attempts is not None:
        return any(
            a.passed
            and a.enrollment_id == attempt.enrollment_id
            and a.number < attempt.number
            for a in attempts
        )
    return (
        Attempt.objects.passed()
        .filter(enrollment_id=attempt.enrollment_id, number__lt=attempt.number)
        .exists()
    )
