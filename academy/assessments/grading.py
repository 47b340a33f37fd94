"""Pure functions over an attempt's snapshot and answers: what is drawn, where the
learner is, what the path was, and the grade. No database, so every rule here is
tested directly."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from academy.core.vocab import FAILING_GRADES

from .definition import scenario_from_rows
from .graph import Scenario, max_path_points, route
from .types import (
    GradeResult,
    KnowledgePart,
    ScenarioPart,
    Snapshot,
    SnapshotChoice,
    SnapshotEnding,
    SnapshotQuestion,
    SnapshotScenario,
    SnapshotStep,
)

QUESTION = "question"
STEP = "step"
DONE = "done"

Answers = Mapping[str, Mapping]  # item key -> the stored answer


def question_item(key: str) -> str:
    return f"q:{key}"


def step_item(scenario: str, step: str) -> str:
    return f"s:{scenario}:{step}"


def is_question_item(item_key: str) -> bool:
    return item_key.startswith("q:")


def is_step_item(item_key: str, scenario: str | None = None) -> bool:
    prefix = f"s:{scenario}:" if scenario else "s:"
    return item_key.startswith(prefix)


@dataclass
class Item:
    kind: str  # QUESTION, STEP or DONE
    key: str = ""  # the item key answers are stored under
    question: SnapshotQuestion | None = None
    scenario: SnapshotScenario | None = None
    step: SnapshotStep | None = None
    totals: dict = field(default_factory=dict)


class ScenarioWalk(NamedTuple):
    path: list[tuple[SnapshotStep, SnapshotChoice]]  # (step, choice) in order
    stop: SnapshotStep | None  # the unanswered step; None once an ending is reached
    totals: dict[str, int]  # points gathered so far, per dimension
    ending: SnapshotEnding | None  # the ending reached, if any


# ---------------------------------------------------------------------------
# What an attempt draws.


def draw_questions(
    questions: Sequence[Mapping],
    *,
    draw: int,
    jurisdiction: str,
    rng: random.Random,
) -> list[str]:
    """Keys of the questions an attempt asks: only those for everyone ("all") and for
    the learner's jurisdiction, the same number for everyone, with every module
    represented (a stratified draw: each module gives an equal share, the remainder
    going to modules chosen at random). Questions without a module are one stratum.
    """
    pool = [
        q for q in questions if q.get("jurisdiction", "all") in ("all", jurisdiction)
    ]
    by_module: dict[str, list[str]] = defaultdict(list)
    for q in pool:
        by_module[q.get("module", "")].append(q["key"])
    modules = sorted(by_module)
    if not modules:
        return []
    draw = min(draw, len(pool))
    base, extra = divmod(draw, len(modules))
    lucky = set(rng.sample(modules, extra)) if extra else set()
    chosen: list[str] = []
    for module in modules:
        want = base + (1 if module in lucky else 0)
        keys = by_module[module]
        chosen += rng.sample(keys, min(want, len(keys)))
    if len(chosen) < draw:  # a thin module: fill from what is left, at random
        rest = [q["key"] for q in pool if q["key"] not in set(chosen)]
        chosen += rng.sample(rest, draw - len(chosen))
    rng.shuffle(chosen)
    return chosen


def draw_scenarios(
    scenarios: Sequence[Mapping],
    *,
    count: int | None,
    role: str,
    rng: random.Random,
) -> list[tuple[str, str]]:
    """(key, why) of the scenarios an attempt plays: one written for the learner's
    work role first ("role"), then drawn from the others ("other"). With no count,
    every scenario, in authoring order."""
    keys = [s["key"] for s in scenarios]
    if count is None or count >= len(keys):
        return [
            (s["key"], "role" if role in s.get("roles", []) else "other")
            for s in scenarios
        ]
    own = [s["key"] for s in scenarios if role in s.get("roles", [])]
    chosen: list[tuple[str, str]] = []
    if own and count > 0:
        chosen.append((rng.choice(own), "role"))
    others = [k for k in keys if k not in own]
    rng.shuffle(others)
    spare = [k for k in own if k not in {c[0] for c in chosen}]
    rng.shuffle(spare)
    for key in others + spare:
        if len(chosen) >= count:
            break
        chosen.append((key, "other"))
    return chosen


# ---------------------------------------------------------------------------
# Walking an attempt.


def _graph(scenario: Mapping, dimensions) -> Scenario:
    return scenario_from_rows(
        scenario["steps"], [e["key"] for e in scenario["endings"]], dimensions
    )


def dimension_keys(snapshot: Mapping) -> list[str]:
    return [d["key"] for d in snapshot["dimensions"]]


def walk_scenario(
    snapshot: Snapshot | Mapping, scenario: SnapshotScenario, answers: Answers
) -> ScenarioWalk:
    """Follow the learner's answers through one scenario."""
    steps = {s["key"]: s for s in scenario["steps"]}
    endings = {e["key"]: e for e in scenario["endings"]}
    graph = _graph(scenario, dimension_keys(snapshot))
    totals: dict[str, int] = {}
    path: list[tuple[SnapshotStep, SnapshotChoice]] = []
    node = scenario["steps"][0]["key"]
    for _ in range(len(steps) + 1):  # acyclic: never more moves than steps
        if node in endings:
            return ScenarioWalk(path, None, totals, endings[node])
        step = steps[node]
        if not step["choices"]:  # a routing step
            graph_step = graph.step(node)
            assert graph_step is not None
            node = route(graph_step, totals)
            continue
        answer = answers.get(step_item(scenario["key"], node))
        if answer is None:
            return ScenarioWalk(path, step, totals, None)
        choice = next(c for c in step["choices"] if c["key"] == answer["choice"])
        for dimension, points in choice["points"].items():
            totals[dimension] = totals.get(dimension, 0) + points
        path.append((step, choice))
        node = choice["next"]
    raise ValueError("The scenario graph has a cycle.")  # validated away at authoring


def current_item(snapshot: Snapshot | Mapping, answers: Answers) -> Item:
    for question in snapshot["questions"]:
        key = question_item(question["key"])
        if key not in answers:
            return Item(kind=QUESTION, key=key, question=question)
    for scenario in snapshot["scenarios"]:
        walk = walk_scenario(snapshot, scenario, answers)
        if walk.stop is not None:
            return Item(
                kind=STEP,
                key=step_item(scenario["key"], walk.stop["key"]),
                scenario=scenario,
                step=walk.stop,
                totals=walk.totals,
            )
    return Item(kind=DONE)


def find_item(
    snapshot: Snapshot | Mapping, item_key: str
) -> tuple[SnapshotQuestion | None, SnapshotScenario | None, SnapshotStep | None]:
    """(question, scenario, step) for an item key, whichever applies."""
    if is_question_item(item_key):
        key = item_key[2:]
        return (
            next((q for q in snapshot["questions"] if q["key"] == key), None),
            None,
            None,
        )
    if is_step_item(item_key):
        _, scenario_key, step_key = (item_key.split(":", 2) + ["", ""])[:3]
        scenario = next(
            (s for s in snapshot["scenarios"] if s["key"] == scenario_key), None
        )
        if scenario:
            step = next((s for s in scenario["steps"] if s["key"] == step_key), None)
            return None, scenario, step
    return None, None, None


def question_correct(question: Mapping, chosen: list[str]) -> bool:
    right = {o["key"] for o in question["options"] if o["correct"]}
    return set(chosen) == right


def scenario_percent(earned: int, best: int) -> float:
    """A scenario's score: the points on the path taken as a share of the most any
    path can earn."""
    return round(100 * earned / best, 1) if best else 100.0


# ---------------------------------------------------------------------------
# The grade.


def grade(snapshot: Snapshot | Mapping, answers: Answers) -> GradeResult:
    """Scores per part and per rubric dimension, and whether the attempt passed.

    A scenario passes at the threshold with no critical choice and (schema 2) no
    harmful one. The knowledge part is the share of drawn questions answered fully
    right. Every part must pass.
    """
    rules = snapshot["rules"]
    harmful_fails = rules.get("harmful_fails", False)
    dims = dimension_keys(snapshot)
    result: GradeResult = {"parts": [], "passed": True}
    questions = snapshot["questions"]
    if questions:
        right = sum(
            1
            for q in questions
            if question_correct(
                q, answers.get(question_item(q["key"]), {}).get("options", [])
            )
        )
        percent = round(100 * right / len(questions), 1)
        passed = percent >= rules["knowledge_pass_percent"]
        knowledge: KnowledgePart = {
            "kind": "knowledge",
            "right": right,
            "of": len(questions),
            "percent": percent,
            "passed": passed,
            "threshold": rules["knowledge_pass_percent"],
        }
        result["parts"].append(knowledge)
        result["passed"] &= passed
    for scenario in snapshot["scenarios"]:
        walk = walk_scenario(snapshot, scenario, answers)
        best = max_path_points(_graph(scenario, dims))
        earned = sum(walk.totals.values())
        percent = scenario_percent(earned, best["total"])
        critical = [c["key"] for _s, c in walk.path if c["grade"] == "critical"]
        harmful = [c["key"] for _s, c in walk.path if c["grade"] in FAILING_GRADES]
        passed = (
            percent >= rules["scenario_pass_percent"]
            and not critical
            and not (harmful_fails and harmful)
        )
        part: ScenarioPart = {
            "kind": "scenario",
            "key": scenario["key"],
            "percent": percent,
            "earned": earned,
            "max": best["total"],
            "passed": passed,
            "threshold": rules["scenario_pass_percent"],
            "critical": critical,
            "harmful": [k for k in harmful if k not in critical],
            "ending": walk.ending["key"] if walk.ending else None,
            "dimensions": {
                d: {"earned": walk.totals.get(d, 0), "max": best.get(d, 0)}
                for d in dims
            },
        }
        result["parts"].append(part)
        result["passed"] &= passed
    return result
