"""How a test-wise learner who never read the course would fare.

The December 2026 review passed the old Foundations assessment without the course:
the best answer was the longest, and a sensible adult could discard the harsh or absurd
options and keep what was left. Each strategy here is such a learner; `pass_chance`
computes the chance that they pass a whole attempt: exactly for the choices they make
(every path through every scenario, every question), and by sampling for the draw of
questions and scenarios, with the same drawing code attempts use.

The strategies, each using only what is on the screen and a sense of tone:
- `longest` / `shortest`: the longest (shortest) option, in the learner's language;
- `eliminate`: discard the harsh options and pick at random among the rest;
- `kindest`: take the kindest-sounding option (the well-meant one) when there is one,
  else eliminate. On a multiple-answer question, the eliminating strategies tick every
  option they did not discard.

Pure Python: no Django, so check_content and the tests share it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from academy.core.vocab import FAILING_GRADES

from .definition import AssessmentData, QuestionData, Texts
from .grading import draw_questions, draw_scenarios, scenario_percent
from .graph import max_path_points, route

Pick = dict[str, float]  # option or choice key -> probability it is chosen
# (option rows with "key" and "mistake", texts by key) -> what the strategy picks
Strategy = Callable[[Sequence[Mapping], Mapping[str, str]], Pick]

STRATEGIES = ("longest", "shortest", "eliminate", "kindest")


def _even(keys: Sequence[str]) -> Pick:
    return {k: 1 / len(keys) for k in keys} if keys else {}


def _by_length(rows, texts, pick_max: bool) -> Pick:
    lengths = {r["key"]: len(texts.get(r["key"], "")) for r in rows}
    if not lengths:
        return {}
    target = max(lengths.values()) if pick_max else min(lengths.values())
    return _even([k for k, n in lengths.items() if n == target])


def _eliminate(rows, texts) -> Pick:
    kept = [r["key"] for r in rows if r.get("mistake") != "harsh"]
    return _even(kept or [r["key"] for r in rows])


def _kindest(rows, texts) -> Pick:
    kind = [r["key"] for r in rows if r.get("mistake") == "well-meant"]
    return _even(kind) if kind else _eliminate(rows, texts)


PICKERS: dict[str, Strategy] = {
    "longest": lambda rows, texts: _by_length(rows, texts, True),
    "shortest": lambda rows, texts: _by_length(rows, texts, False),
    "eliminate": _eliminate,
    "kindest": _kindest,
}


def question_chance(q: QuestionData, texts: Mapping[str, str], strategy: str) -> float:
    """The chance the strategy answers the question fully right."""
    rows = [{"key": o.key, "mistake": o.mistake} for o in q.options]
    right = {o.key for o in q.options if o.correct}
    if q.multiple:
        if strategy in ("eliminate", "kindest"):
            ticked = {r["key"] for r in rows if r["mistake"] != "harsh"}
            return 1.0 if ticked == right else 0.0
        pick = PICKERS[strategy](rows, texts)
        return sum(p for k, p in pick.items() if {k} == right)
    pick = PICKERS[strategy](rows, texts)
    return sum(p for k, p in pick.items() if k in right)


def scenario_chance(
    a: AssessmentData, index: int, texts: Texts, strategy: str
) -> float:
    """The chance the strategy passes the scenario: every path, weighted by how
    likely the strategy is to take it."""
    scenario = a.scenarios[index]
    graph = scenario.graph(a.dimensions)
    best = max_path_points(graph)["total"]
    rows = {row["key"]: row for row in scenario.steps}
    chance = 0.0

    def walk(node: str, weight: float, totals: dict[str, int], failing: bool) -> None:
        nonlocal chance
        step = graph.step(node)
        if step is None:
            percent = scenario_percent(sum(totals.values()), best)
            if percent >= a.scenario_pass_percent and not failing:
                chance += weight
            return
        if step.rules:
            walk(route(step, totals), weight, totals, failing)
            return
        row_choices = rows[node]["choices"]
        pick = PICKERS[strategy](
            row_choices, texts.choices.get((scenario.key, node), {})
        )
        for choice in step.choices:
            p = pick.get(choice.key, 0.0)
            if not p:
                continue
            after = dict(totals)
            for dimension, points in choice.points.items():
                after[dimension] = after.get(dimension, 0) + points
            walk(
                choice.next,
                weight * p,
                after,
                failing or choice.grade in FAILING_GRADES,
            )

    if graph.start is not None:
        walk(graph.start, 1.0, {}, False)
    return chance


def _at_least(chances: Sequence[float], needed: int) -> float:
    """P(at least `needed` successes) for independent trials (Poisson binomial)."""
    dist = [1.0]
    for p in chances:
        nxt = [0.0] * (len(dist) + 1)
        for k, q in enumerate(dist):
            nxt[k] += q * (1 - p)
            nxt[k + 1] += q * p
        dist = nxt
    return sum(dist[needed:])


@dataclass(frozen=True)
class Outcome:
    strategy: str
    language: str
    jurisdiction: str
    role: str
    chance: float  # of passing a whole attempt

    def describe(self) -> str:
        return (
            f"a learner who never read the course and picks '{self.strategy}' "
            f"({self.language}, {self.jurisdiction}, {self.role}) passes "
            f"{100 * self.chance:.1f}% of attempts"
        )


def pass_chances(
    a: AssessmentData,
    *,
    strategy: str,
    language: str,
    jurisdictions: Sequence[str],
    roles: Sequence[str],
    draws: int = 200,
    seed: int = 0,
) -> list[Outcome]:
    """The chance a learner of each jurisdiction and role passes an attempt with the
    strategy, averaged over `draws` sampled draws of questions and scenarios (the
    same seed for each, so the figures are reproducible)."""
    texts = a.texts(language)
    q_chance = {
        q.key: question_chance(q, texts.options.get(q.key, {}), strategy)
        for q in a.questions
    }
    s_chance = {
        s.key: scenario_chance(a, i, texts, strategy) for i, s in enumerate(a.scenarios)
    }
    rows = [
        {"key": q.key, "module": q.module, "jurisdiction": q.jurisdiction}
        for q in a.questions
    ]
    scenarios = [{"key": s.key, "roles": s.roles} for s in a.scenarios]
    outcomes = []
    for jurisdiction in jurisdictions:
        for role in roles:
            rng = random.Random(seed)
            total = 0.0
            for _ in range(draws):
                drawn = draw_questions(
                    rows, draw=a.draw, jurisdiction=jurisdiction, rng=rng
                )
                chance = 1.0
                if drawn:
                    needed = math.ceil(
                        a.knowledge_pass_percent * len(drawn) / 100 - 1e-9
                    )
                    chance = _at_least([q_chance[k] for k in drawn], needed)
                for key, _why in draw_scenarios(
                    scenarios, count=a.scenario_draw, role=role, rng=rng
                ):
                    chance *= s_chance[key]
                total += chance
            outcomes.append(
                Outcome(strategy, language, jurisdiction, role, total / draws)
            )
    return outcomes


def roles_that_matter(a: AssessmentData) -> list[str]:
    """The roles whose draws differ: each role a scenario is written for, and one
    that none is (it draws from all alike)."""
    named = sorted({r for s in a.scenarios for r in s.roles})
    return [*named, "other"] if "other" not in named else named
