"""Pure functions over an attempt's snapshot and answers: where the learner is, what
the path was, and the grade. No database, so every rule here is tested directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .definition import scenario_from_rows
from .graph import max_path_points, route

QUESTION = "question"
STEP = "step"
DONE = "done"


def question_item(key: str) -> str:
    return f"q:{key}"


def step_item(scenario: str, step: str) -> str:
    return f"s:{scenario}:{step}"


@dataclass
class Item:
    kind: str  # QUESTION, STEP or DONE
    key: str = ""  # the item key answers are stored under
    question: dict | None = None
    scenario: dict | None = None
    step: dict | None = None
    totals: dict = field(default_factory=dict)


def _graph(scenario: Mapping, dimensions):
    return scenario_from_rows(
        scenario["steps"], [e["key"] for e in scenario["endings"]], dimensions
    )


def dimension_keys(snapshot: Mapping) -> list[str]:
    return [d["key"] for d in snapshot["dimensions"]]


def walk_scenario(snapshot: Mapping, scenario: Mapping, answers: Mapping[str, Mapping]):
    """Follow the learner's answers through one scenario.

    Returns (path, stop, totals): path is [(step, choice)] in order, stop is the
    unanswered step dict (None when an ending is reached), totals the points so far
    and `ending` the ending dict reached (or None).
    """
    steps = {s["key"]: s for s in scenario["steps"]}
    endings = {e["key"]: e for e in scenario["endings"]}
    graph = _graph(scenario, dimension_keys(snapshot))
    totals: dict[str, int] = {}
    path: list[tuple[dict, dict]] = []
    node = scenario["steps"][0]["key"]
    for _ in range(len(steps) + 1):  # acyclic: never more moves than steps
        if node in endings:
            return path, None, totals, endings[node]
        step = steps[node]
        if not step["choices"]:  # a routing step
            node = route(graph.step(node), totals)
            continue
        answer = answers.get(step_item(scenario["key"], node))
        if answer is None:
            return path, step, totals, None
        choice = next(c for c in step["choices"] if c["key"] == answer["choice"])
        for dimension, points in choice["points"].items():
            totals[dimension] = totals.get(dimension, 0) + points
        path.append((step, choice))
        node = choice["next"]
    raise ValueError("The scenario graph has a cycle.")  # validated away at authoring


def current_item(snapshot: Mapping, answers: Mapping[str, Mapping]) -> Item:
    for question in snapshot["questions"]:
        key = question_item(question["key"])
        if key not in answers:
            return Item(kind=QUESTION, key=key, question=question)
    for scenario in snapshot["scenarios"]:
        _path, stop, totals, _ending = walk_scenario(snapshot, scenario, answers)
        if stop is not None:
            return Item(
                kind=STEP,
                key=step_item(scenario["key"], stop["key"]),
                scenario=scenario,
                step=stop,
                totals=totals,
            )
    return Item(kind=DONE)


def find_item(
    snapshot: Mapping, item_key: str
) -> tuple[dict | None, dict | None, dict | None]:
    """(question, scenario, step) for an item key, whichever applies."""
    if item_key.startswith("q:"):
        key = item_key[2:]
        return (
            next((q for q in snapshot["questions"] if q["key"] == key), None),
            None,
            None,
        )
    if item_key.startswith("s:"):
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


def grade(snapshot: Mapping, answers: Mapping[str, Mapping]) -> dict:
    """Scores per part and per rubric dimension, and whether the attempt passed.

    A scenario scores the points on the path taken as a percentage of the most any
    path can earn; it passes at the threshold with no critical choice. The knowledge
    part is the share of drawn questions answered fully right. Every part must pass.
    """
    rules = snapshot["rules"]
    dims = dimension_keys(snapshot)
    result: dict = {"parts": [], "passed": True}
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
        result["parts"].append(
            {
                "kind": "knowledge",
                "right": right,
                "of": len(questions),
                "percent": percent,
                "passed": passed,
                "threshold": rules["knowledge_pass_percent"],
            }
        )
        result["passed"] &= passed
    for scenario in snapshot["scenarios"]:
        path, _stop, totals, ending = walk_scenario(snapshot, scenario, answers)
        best = max_path_points(_graph(scenario, dims))
        earned = sum(totals.values())
        percent = round(100 * earned / best["total"], 1) if best["total"] else 100.0
        critical = [
            choice["key"] for _step, choice in path if choice["grade"] == "critical"
        ]
        passed = percent >= rules["scenario_pass_percent"] and not critical
        result["parts"].append(
            {
                "kind": "scenario",
                "key": scenario["key"],
                "percent": percent,
                "earned": earned,
                "max": best["total"],
                "passed": passed,
                "threshold": rules["scenario_pass_percent"],
                "critical": critical,
                "ending": ending["key"] if ending else None,
                "dimensions": {
                    d: {"earned": totals.get(d, 0), "max": best.get(d, 0)} for d in dims
                },
            }
        )
        result["passed"] &= passed
    return result
