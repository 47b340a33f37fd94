"""From stored definitions (pages, form data, content files) to plain graph data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .graph import Choice, Rule, Scenario, Step


def step_from_row(row: Mapping) -> Step:
    """A step as plain data: {key, choices: [{key, next, grade, points}], route_*}."""
    choices = tuple(
        Choice(
            key=c["key"],
            next=c["next"],
            grade=c["grade"],
            points=dict(c.get("points") or {}),
        )
        for c in row.get("choices", [])
    )
    rules: tuple[Rule, ...] = ()
    if row.get("route_dimension") or row.get("route_otherwise"):
        rules = (
            Rule(
                next=row.get("route_next") or "",
                dimension=row.get("route_dimension") or None,
                comparison=row.get("route_comparison") or "<",
                value=int(row.get("route_value") or 0),
            ),
            Rule(next=row.get("route_otherwise") or ""),
        )
    return Step(key=row["key"], choices=choices, rules=rules)


def scenario_from_rows(
    steps: Iterable[Mapping], endings: Iterable[str], dimensions: Iterable[str]
) -> Scenario:
    return Scenario(
        steps=tuple(step_from_row(r) for r in steps),
        endings=tuple(endings),
        dimensions=tuple(dimensions),
    )


def step_rows(scenario_page) -> list[dict]:
    rows = []
    for step in scenario_page.steps.all():
        rows.append(
            {
                "key": step.key,
                "route_dimension": step.route_dimension,
                "route_comparison": step.route_comparison,
                "route_value": step.route_value,
                "route_next": step.route_next,
                "route_otherwise": step.route_otherwise,
                "choices": [
                    {
                        "key": c.key,
                        "next": c.next_key,
                        "grade": c.grade,
                        "points": dict(c.points or {}),
                    }
                    for c in step.choices.all()
                ],
            }
        )
    return rows


def scenario_graph(scenario_page, dimensions: Iterable[str]) -> Scenario:
    return scenario_from_rows(
        step_rows(scenario_page),
        [e.key for e in scenario_page.endings.all()],
        dimensions,
    )
