"""Reads for assessments: eligibility, the item a learner is on, results, previews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import attempts as rules
from .models import AssessmentPage, Attempt, AttemptAnswer, ScenarioPage


def text(texts: dict | None, lang: str | None = None) -> str:
    """A snapshot text in the page's language, or the default language's."""
    if not texts:
        return ""
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    return (
        texts.get(lang) or texts.get(settings.MODELTRANSLATION_DEFAULT_LANGUAGE) or ""
    )


def assessment_for_course(*, course) -> AssessmentPage | None:
    return AssessmentPage.objects.live().child_of(course).first()


@dataclass
class Eligibility:
    can_start: bool
    reason: str = ""
    remaining: int = 0
    next_opens_at: object = None
    remediation_attempt: Attempt | None = None


def assessment_eligibility(*, user, assessment: AssessmentPage) -> Eligibility:
    from academy.courses.selectors import course_status_for_user

    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, _("Sign in to take the assessment."))
    status = course_status_for_user(user=user, course=assessment.get_parent().specific)
    if not status.is_enrolled:
        return Eligibility(False, _("Enrol in the course first."))
    if assessment.requires_modules and not status.modules_complete:
        return Eligibility(
            False,
            _(
                "The assessment opens once every module is done "
                "(%(done)s of %(total)s so far)."
            )
            % {"done": status.modules_done, "total": status.modules_total},
        )
    mine = Attempt.objects.filter(user=user, assessment=assessment)
    window_start = timezone.now() - timedelta(days=assessment.attempt_window_days)
    recent = list(mine.filter(started_at__gte=window_start).order_by("started_at"))
    remaining = max(0, assessment.attempts_allowed - len(recent))
    last = mine.order_by("-number").first()
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


def assessment_overview(*, user, assessment: AssessmentPage) -> dict:
    attempts = []
    open_attempt = None
    if getattr(user, "is_authenticated", False):
        attempts = list(
            Attempt.objects.filter(user=user, assessment=assessment).order_by("-number")
        )
        open_attempt = next((a for a in attempts if not a.is_submitted), None)
    return {
        "eligibility": assessment_eligibility(user=user, assessment=assessment),
        "attempts": attempts,
        "open_attempt": open_attempt,
        "scenarios": list(
            ScenarioPage.objects.live().child_of(assessment).order_by("path")
        ),
    }


def attempt_get_for_user(
    *, user, assessment: AssessmentPage, number: int
) -> Attempt | None:
    """The learner's own attempt, or None: nobody reaches another person's attempt."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Attempt.objects.filter(
        user=user, assessment=assessment, number=number
    ).first()


def _answers(attempt: Attempt) -> dict[str, dict]:
    return {a.item_key: a.answer for a in AttemptAnswer.objects.filter(attempt=attempt)}


def attempt_position(*, attempt: Attempt) -> dict:
    """What the learner sees now: the feedback just earned, or the next item. Only
    the chosen choice's consequences are included, never the others'."""
    answers = _answers(attempt)
    snapshot = attempt.snapshot
    total_questions = len(snapshot["questions"])
    answered_questions = sum(1 for k in answers if k.startswith("q:"))
    if attempt.pending_feedback:
        question, scenario, step = rules.find_item(snapshot, attempt.pending_feedback)
        answer = answers[attempt.pending_feedback]
        context = {
            "mode": "feedback",
            "item_key": attempt.pending_feedback,
            "question": question,
            "scenario": scenario,
            "step": step,
        }
        if question:
            chosen = set(answer["options"])
            context["options"] = [
                {**o, "chosen": o["key"] in chosen} for o in question["options"]
            ]
            context["is_correct"] = rules.question_correct(question, list(chosen))
        else:
            context["choice"] = next(
                c for c in step["choices"] if c["key"] == answer["choice"]
            )
            _path, stop, _totals, ending = rules.walk_scenario(
                snapshot, scenario, answers
            )
            context["ending"] = ending if stop is None else None
        return context
    item = rules.current_item(snapshot, answers)
    if item.kind == rules.DONE:
        return {"mode": "done"}
    context = {
        "mode": item.kind,
        "item_key": item.key,
        "question": item.question,
        "scenario": item.scenario,
        "step": item.step,
        "question_number": answered_questions + 1,
        "question_total": total_questions,
    }
    if item.step:
        # The learner sees the choices' text only; grades, points and feedback stay
        # on the server until a choice is made.
        context["choices"] = [
            {"key": c["key"], "text": c["text"]} for c in item.step["choices"]
        ]
        context["first_step"] = item.step["key"] == item.scenario["steps"][0][
            "key"
        ] and not any(k.startswith(f"s:{item.scenario['key']}:") for k in answers)
    if item.question:
        context["options"] = [
            {"key": o["key"], "text": o["text"]} for o in item.question["options"]
        ]
    return context


def attempt_result(*, attempt: Attempt) -> dict:
    """The result page: per part and dimension, and every step with its feedback."""
    answers = _answers(attempt)
    snapshot = attempt.snapshot
    labels = {d["key"]: d["label"] for d in snapshot["dimensions"]}
    parts = []
    for part in attempt.scores.get("parts", []):
        part = dict(part)
        if part["kind"] == "scenario":
            scenario = next(s for s in snapshot["scenarios"] if s["key"] == part["key"])
            path, _stop, _totals, ending = rules.walk_scenario(
                snapshot, scenario, answers
            )
            part["scenario"] = scenario
            part["path"] = [{"step": s, "choice": c} for s, c in path]
            part["ending_data"] = ending
            part["dimension_rows"] = [
                {"label": labels.get(k, {}), **v} for k, v in part["dimensions"].items()
            ]
        else:
            part["questions"] = [
                {
                    "question": q,
                    "chosen": answers.get(rules.question_item(q["key"]), {}).get(
                        "options", []
                    ),
                    "correct": rules.question_correct(
                        q,
                        answers.get(rules.question_item(q["key"]), {}).get(
                            "options", []
                        ),
                    ),
                }
                for q in snapshot["questions"]
            ]
        parts.append(part)
    return {"parts": parts}


def scenario_preview(*, scenario: ScenarioPage) -> dict:
    """Every step as a learner would see it, with each choice's consequence shown to
    the editor, for the admin preview."""
    steps = []
    for step in scenario.steps.all():
        steps.append({"step": step, "choices": list(step.choices.all())})
    return {"steps": steps, "endings": list(scenario.endings.all())}
