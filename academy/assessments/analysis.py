"""Item analysis for editors (what Moodle calls quiz statistics), from submitted
attempts only.

For each bank question: its facility (the share of answers fully right), its
discrimination (the point-biserial correlation between getting it right and the
learner's score on the rest of the attempt's questions) and how often each option
was chosen. For each scenario decision: how often each choice was taken, and the
pass rate of the attempts that took it. Items with enough answers are flagged when
too easy, too hard, or not telling strong learners from weak ones.

The selector runs a fixed number of queries whatever the number of attempts."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from academy.core.spreadsheets import safe

from . import grading
from .models import (
    AssessmentPage,
    Attempt,
    AttemptAnswer,
    BankQuestion,
    ScenarioPage,
    ScenarioStep,
)

MIN_ANSWERS = 30  # items are flagged only once this many people answered them
FACILITY_HIGH, FACILITY_LOW = 0.95, 0.2
DISCRIMINATION_LOW = 0.15


def point_biserial(items: list[int], rest: list[float]) -> float | None:
    """Pearson's correlation between a 0/1 item score and the rest score; None when
    either does not vary (every answer right, or everyone scoring the same)."""
    n = len(items)
    if n < 2:
        return None
    mean_x, mean_y = sum(items) / n, sum(rest) / n
    sxx = sum((x - mean_x) ** 2 for x in items)
    syy = sum((y - mean_y) ** 2 for y in rest)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(items, rest, strict=True))
    return sxy / math.sqrt(sxx * syy)


@dataclass
class QuestionStats:
    key: str
    text: str
    module: str
    jurisdiction: str
    answers: int
    facility: float | None
    discrimination: float | None
    options: list[tuple[str, str, bool, int]]  # key, text, correct, times chosen
    flags: list[str] = field(default_factory=list)


@dataclass
class ChoiceStats:
    key: str
    grade: str
    taken: int
    pass_rate: float | None  # of the attempts that took it


@dataclass
class StepStats:
    scenario: str
    step: str
    answers: int
    choices: list[ChoiceStats]


@dataclass
class Analysis:
    attempts: int
    questions: list[QuestionStats]
    steps: list[StepStats]


def _flags(answers: int, facility, discrimination) -> list[str]:
    if answers < MIN_ANSWERS:
        return []
    flags = []
    if facility is not None and facility > FACILITY_HIGH:
        flags.append("too easy")
    if facility is not None and facility < FACILITY_LOW:
        flags.append("too hard")
    if discrimination is not None and discrimination < DISCRIMINATION_LOW:
        flags.append("weak discrimination")
    return flags


def item_analysis(*, assessment: AssessmentPage, language: str = "en") -> Analysis:
    """Statistics of every item of the assessment over its submitted attempts."""
    attempts = {
        row["pk"]: row["passed"]
        for row in Attempt.objects.submitted()
        .filter(assessment=assessment)
        .values("pk", "passed")
    }
    answers = list(
        AttemptAnswer.objects.filter(attempt_id__in=list(attempts)).values(
            "attempt_id", "item_key", "answer", "is_correct"
        )
    )
    questions = list(
        BankQuestion.objects.filter(assessment=assessment).prefetch_related("options")
    )
    scenarios = list(ScenarioPage.objects.child_of(assessment).order_by("path"))
    scenario_steps = _scenario_steps(scenarios)

    # Question answers per attempt: item -> right, and each attempt's totals.
    right: dict[int, dict[str, bool]] = defaultdict(dict)
    chosen: dict[str, Counter] = defaultdict(Counter)
    taken: dict[tuple[str, str], Counter] = defaultdict(Counter)
    passed_with: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    for a in answers:
        key = a["item_key"]
        if grading.is_question_item(key):
            qkey = key[2:]
            right[a["attempt_id"]][qkey] = bool(a["is_correct"])
            chosen[qkey].update((a["answer"] or {}).get("options", []))
        elif grading.is_step_item(key):
            _s, scenario, step = key.split(":", 2)
            choice = (a["answer"] or {}).get("choice", "")
            taken[(scenario, step)][choice] += 1
            passed_with[(scenario, step, choice)].append(
                bool(attempts.get(a["attempt_id"]))
            )

    question_stats = []
    for q in questions:
        scores, rest = [], []
        for answered in right.values():
            if q.key not in answered:
                continue
            others = [v for k, v in answered.items() if k != q.key]
            scores.append(1 if answered[q.key] else 0)
            rest.append(sum(others) / len(others) if others else 0.0)
        n = len(scores)
        facility = sum(scores) / n if n else None
        discrimination = point_biserial(scores, rest)
        question_stats.append(
            QuestionStats(
                key=q.key,
                text=getattr(q, f"question_{language}", "") or q.question,
                module=q.module_key,
                jurisdiction=q.jurisdiction,
                answers=n,
                facility=facility,
                discrimination=discrimination,
                options=[
                    (
                        o.key,
                        getattr(o, f"text_{language}", "") or o.text,
                        o.correct,
                        chosen[q.key][o.key],
                    )
                    for o in q.options.all()
                ],
                flags=_flags(n, facility, discrimination),
            )
        )

    step_stats = []
    for scenario_key, step_key, choices in scenario_steps:
        counts = taken.get((scenario_key, step_key), Counter())
        step_stats.append(
            StepStats(
                scenario=scenario_key,
                step=step_key,
                answers=sum(counts.values()),
                choices=[
                    ChoiceStats(
                        key=c_key,
                        grade=grade,
                        taken=counts[c_key],
                        pass_rate=_rate(
                            passed_with.get((scenario_key, step_key, c_key))
                        ),
                    )
                    for c_key, grade in choices
                ],
            )
        )
    return Analysis(attempts=len(attempts), questions=question_stats, steps=step_stats)


def _rate(values: list[bool] | None) -> float | None:
    return sum(values) / len(values) if values else None


def _scenario_steps(scenarios) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(scenario key, step key, [(choice key, grade)]) for every decision."""
    steps = (
        ScenarioStep.objects.filter(scenario__in=scenarios)
        .prefetch_related("choices")
        .select_related("scenario")
        .order_by("scenario__path", "sort_order")
    )
    result = []
    for step in steps:
        choices = [(c.key, c.grade) for c in step.choices.all()]
        if choices:
            key = step.scenario.content_key or str(step.scenario_id)
            result.append((key, step.key, choices))
    return result


def analysis_csv(analysis: Analysis) -> bytes:
    """The report as CSV: one row per question option and per scenario choice."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "item",
            "key",
            "module_or_step",
            "jurisdiction_or_grade",
            "answers",
            "facility_or_pass_rate",
            "discrimination",
            "option_or_choice",
            "correct",
            "chosen",
            "flags",
        ]
    )

    def fmt(value):
        return "" if value is None else f"{value:.3f}"

    for q in analysis.questions:
        for key, text, correct, count in q.options:
            writer.writerow(
                [
                    "question",
                    q.key,
                    q.module,
                    q.jurisdiction,
                    q.answers,
                    fmt(q.facility),
                    fmt(q.discrimination),
                    safe(f"{key}: {text}"),
                    "yes" if correct else "no",
                    count,
                    "; ".join(q.flags),
                ]
            )
    for s in analysis.steps:
        for c in s.choices:
            writer.writerow(
                [
                    "scenario step",
                    s.scenario,
                    s.step,
                    c.grade,
                    s.answers,
                    fmt(c.pass_rate),
                    "",
                    c.key,
                    "",
                    c.taken,
                    "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
