"""Scenario graphs as plain data: validation, reachability and the best possible path.

A scenario is a directed acyclic graph. Steps hold a decision (choices) or, for
point-conditioned branching, routing rules evaluated on the points gathered so far.
Choices and rules lead to another step or to an ending. This module knows nothing of
Django: the admin form, `load_content` and `check_content` all pass it plain data, so
one set of rules, reported in words an editor understands, applies everywhere.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

GRADES = ("best", "acceptable", "harmful", "critical")
COMPARISONS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Choice:
    key: str
    next: str
    grade: str = "acceptable"
    points: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """Go to `next` when the points gathered on `dimension` compare true to `value`;
    a rule with no dimension is the fallback and must come last."""

    next: str
    dimension: str | None = None
    comparison: str = "<"
    value: int = 0

    def matches(self, totals: Mapping[str, int]) -> bool:
        if self.dimension is None:
            return True
        return COMPARISONS[self.comparison](totals.get(self.dimension, 0), self.value)


@dataclass(frozen=True)
class Step:
    key: str
    choices: tuple[Choice, ...] = ()
    rules: tuple[Rule, ...] = ()

    @property
    def targets(self) -> list[str]:
        return [c.next for c in self.choices] + [r.next for r in self.rules]


@dataclass(frozen=True)
class Scenario:
    """Steps in authoring order (the first is where learners start) and endings."""

    steps: tuple[Step, ...]
    endings: tuple[str, ...]
    dimensions: tuple[str, ...]

    @property
    def start(self) -> str | None:
        return self.steps[0].key if self.steps else None

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


def validate_scenario(scenario: Scenario) -> list[str]:
    """Every problem with the graph, each in a sentence; empty when it is sound."""
    problems: list[str] = []
    if not scenario.steps:
        return ["The scenario has no steps."]
    if not scenario.endings:
        problems.append("The scenario has no ending.")
    step_keys = [s.key for s in scenario.steps]
    for key in sorted({k for k in step_keys if step_keys.count(k) > 1}):
        problems.append(f"Two steps share the key '{key}'.")
    for key in sorted(set(step_keys) & set(scenario.endings)):
        problems.append(f"'{key}' is both a step and an ending.")
    nodes = set(step_keys) | set(scenario.endings)
    dimensions = set(scenario.dimensions)

    for step in scenario.steps:
        if not step.choices and not step.rules:
            problems.append(
                f"Step '{step.key}' has no choices, so a learner who reaches it "
                "is stuck."
            )
        if step.choices and step.rules:
            problems.append(
                f"Step '{step.key}' has both choices and routing rules; give it one or "
                "the other."
            )
        choice_keys = [c.key for c in step.choices]
        for key in sorted({k for k in choice_keys if choice_keys.count(k) > 1}):
            problems.append(f"Step '{step.key}' has two choices with the key '{key}'.")
        for choice in step.choices:
            if choice.next not in nodes:
                problems.append(
                    f"Choice '{choice.key}' in step '{step.key}' leads to "
                    f"'{choice.next}', which is neither a step nor an ending."
                )
            if choice.grade not in GRADES:
                problems.append(
                    f"Choice '{choice.key}' in step '{step.key}' has the grade "
                    f"'{choice.grade}'; use one of {', '.join(GRADES)}."
                )
            for dimension, points in choice.points.items():
                if dimension not in dimensions:
                    problems.append(
                        f"Choice '{choice.key}' in step '{step.key}' gives points on "
                        f"'{dimension}', which is not one of the scenario's rubric "
                        f"dimensions ({', '.join(scenario.dimensions) or 'none'})."
                    )
                if (
                    not isinstance(points, int)
                    or isinstance(points, bool)
                    or points < 0
                ):
                    problems.append(
                        f"Choice '{choice.key}' in step '{step.key}' must give a whole "
                        f"number of points, zero or more, on '{dimension}'."
                    )
        for position, rule in enumerate(step.rules, start=1):
            if rule.next not in nodes:
                problems.append(
                    f"Rule {position} in step '{step.key}' leads to '{rule.next}', "
                    "which is neither a step nor an ending."
                )
            if rule.dimension is not None and rule.dimension not in dimensions:
                problems.append(
                    f"Rule {position} in step '{step.key}' tests '{rule.dimension}', "
                    "which is not one of the scenario's rubric dimensions."
                )
            if rule.comparison not in COMPARISONS:
                problems.append(
                    f"Rule {position} in step '{step.key}' compares with "
                    f"'{rule.comparison}'; use one of {' '.join(COMPARISONS)}."
                )
        if step.rules and step.rules[-1].dimension is not None:
            problems.append(
                f"Step '{step.key}' routes on points but has no fallback: end its "
                "rules with one that has no condition, so every learner has "
                "somewhere to go."
            )
        if any(r.dimension is None for r in step.rules[:-1]):
            problems.append(
                f"In step '{step.key}', a rule without a condition comes before "
                "others, which could then never apply; put it last."
            )

    if problems:
        return problems  # reachability and cycles only make sense on a sound graph
    cycle = _find_cycle(scenario)
    if cycle:
        problems.append(
            "The steps loop back on themselves: " + " → ".join(cycle) + ". A scenario "
            "must always move forward to an ending."
        )
        return problems
    reachable = _reachable(scenario)
    for key in step_keys:
        if key not in reachable:
            problems.append(f"No path leads to step '{key}'.")
    for key in scenario.endings:
        if key not in reachable:
            problems.append(f"No path leads to the ending '{key}'.")
    return problems


def _edges(scenario: Scenario) -> dict[str, list[str]]:
    return {s.key: s.targets for s in scenario.steps}


def _reachable(scenario: Scenario) -> set[str]:
    edges: dict[str, list[str]] = _edges(scenario)
    seen: set[str] = set()
    todo = [scenario.start] if scenario.start else []
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        todo.extend(edges.get(key, []))
    return seen


def _find_cycle(scenario: Scenario) -> list[str] | None:
    edges = _edges(scenario)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(key: str) -> list[str] | None:
        state[key] = 1
        path.append(key)
        for target in edges.get(key, []):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target in edges and state.get(target) is None:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[key] = 2
        return None

    for step in scenario.steps:
        if state.get(step.key) is None:
            found = visit(step.key)
            if found:
                return found
    return None


def decisions_on_every_path(scenario: Scenario) -> tuple[int, int]:
    """The fewest and the most decisions (steps with choices) on any path to an end."""
    edges = _edges(scenario)
    decides = {s.key: bool(s.choices) for s in scenario.steps}
    memo: dict[str, tuple[int, int]] = {}

    def walk(key: str) -> tuple[int, int]:
        if key not in edges:
            return (0, 0)
        if key not in memo:
            spans = [walk(t) for t in edges[key]]
            own = 1 if decides[key] else 0
            memo[key] = (own + min(s[0] for s in spans), own + max(s[1] for s in spans))
        return memo[key]

    return walk(scenario.start) if scenario.start else (0, 0)


def max_path_points(scenario: Scenario) -> dict[str, int]:
    """The most points any single path can earn, in total and on each dimension (each
    its own best path): the denominators of a learner's percentages.

    Routing rules are treated as open in every direction, so no path is missed.
    """
    steps = {s.key: s for s in scenario.steps}

    def best(weight) -> int:
        memo: dict[str, int] = {}

        def walk(key: str) -> int:
            step = steps.get(key)
            if step is None:
                return 0
            if key not in memo:
                options = [weight(c.points) + walk(c.next) for c in step.choices]
                options += [walk(r.next) for r in step.rules]
                memo[key] = max(options)
            return memo[key]

        return walk(scenario.start) if scenario.start else 0

    result = {"total": best(lambda points: sum(points.values()))}
    for dimension in scenario.dimensions:
        result[dimension] = best(lambda points, d=dimension: points.get(d, 0))
    return result


def route(step: Step, totals: Mapping[str, int]) -> str:
    """Where a routing step sends a learner with these points so far."""
    for rule in step.rules:
        if rule.matches(totals):
            return rule.next
    raise ValueError(f"Step '{step.key}' has no rule that applies.")


def validate_bank(question_keys: Iterable[str], draw: int) -> list[str]:
    keys = list(question_keys)
    problems = []
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"Two questions in the bank share the key '{key}'.")
    if draw < 1:
        problems.append("Each attempt must draw at least one question.")
    elif len(set(keys)) < draw:
        problems.append(
            f"The bank has {len(set(keys))} questions but each attempt draws {draw}; "
            "add questions or draw fewer."
        )
    return problems
