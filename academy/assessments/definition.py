"""Assessments as plain data: from stored definitions (pages, form data, content
files) to the graph, and the shape content files and admin forms both produce."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

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
                        "mistake": c.mistake,
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


# ---------------------------------------------------------------------------
# An assessment as plain data: what content/ files and the admin forms describe,
# what the validity rules check and what the loader writes into pages.


@dataclass
class OptionData:
    key: str
    correct: bool
    mistake: str = ""  # vocab.MISTAKES; empty for a correct option


@dataclass
class QuestionData:
    key: str
    module: str  # the module key it tests
    jurisdiction: str  # vocab.QUESTION_JURISDICTIONS
    multiple: bool
    options: list[OptionData] = field(default_factory=list)


@dataclass
class ScenarioData:
    key: str
    roles: list[str]  # the work roles it is written for
    steps: list[dict]  # rows as step_from_row reads them; choices carry "mistake"
    endings: list[str]

    def graph(self, dimensions: Iterable[str]) -> Scenario:
        return scenario_from_rows(self.steps, self.endings, dimensions)


@dataclass
class AssessmentData:
    key: str
    dimensions: list[str]
    scenario_pass_percent: int
    knowledge_pass_percent: int
    draw: int
    questions: list[QuestionData]
    scenarios: list[ScenarioData]
    scenario_draw: int | None = None  # None: every scenario in every attempt
    text: dict[str, dict] = field(default_factory=dict)  # lang -> the language file

    def payload(self) -> dict:
        return {
            "key": self.key,
            "dimensions": self.dimensions,
            "draw": self.draw,
            "scenario_draw": self.scenario_draw,
            "pass": [self.scenario_pass_percent, self.knowledge_pass_percent],
            "questions": [asdict(q) for q in self.questions],
            "scenarios": [asdict(s) for s in self.scenarios],
            "text": self.text,
        }

    def texts(self, lang: str) -> Texts:
        """The option and choice texts of one language, for the length rules."""
        source = self.text.get(lang) or {}
        bank = source.get("bank") or {}
        options = {
            q.key: {
                o.key: str(
                    (
                        ((bank.get(q.key) or {}).get("options") or {}).get(o.key) or {}
                    ).get("text")
                    or ""
                )
                for o in q.options
            }
            for q in self.questions
        }
        choices: dict[tuple[str, str], dict[str, str]] = {}
        for s in self.scenarios:
            steps = ((source.get("scenarios") or {}).get(s.key) or {}).get(
                "steps"
            ) or {}
            for row in s.steps:
                texts = (steps.get(row["key"]) or {}).get("choices") or {}
                choices[(s.key, row["key"])] = {
                    c["key"]: str((texts.get(c["key"]) or {}).get("text") or "")
                    for c in row["choices"]
                }
        return Texts(options=options, choices=choices)


@dataclass
class Texts:
    """What learners read of each option and choice in one language."""

    options: dict[str, dict[str, str]]  # question key -> option key -> text
    choices: dict[tuple[str, str], dict[str, str]]  # (scenario, step) -> choice -> text


# ---------------------------------------------------------------------------
# The same plain data from stored pages, for the admin forms' validity check.


def question_data(key: str, module: str, jurisdiction: str, multiple: bool, options):
    """options: (key, correct, mistake) triples."""
    return QuestionData(
        key=key,
        module=module or "",
        jurisdiction=jurisdiction or "all",
        multiple=bool(multiple),
        options=[OptionData(k, bool(c), m or "") for k, c, m in options],
    )


def scenario_data(scenario_page) -> ScenarioData:
    return ScenarioData(
        key=scenario_page.content_key or str(scenario_page.pk),
        roles=list(scenario_page.roles or []),
        steps=step_rows(scenario_page),
        endings=[e.key for e in scenario_page.endings.all()],
    )


def language_text_of_scenario(scenario_page, languages: Iterable[str]) -> dict:
    """{lang: {"scenarios": {key: {"steps": {step: {"choices": {c: {"text"}}}}}}}}."""
    key = scenario_page.content_key or str(scenario_page.pk)
    result: dict[str, dict] = {}
    for lang in languages:
        steps = {}
        for step in scenario_page.steps.all():
            steps[step.key] = {
                "choices": {
                    c.key: {"text": getattr(c, f"text_{lang}", "") or ""}
                    for c in step.choices.all()
                }
            }
        result[lang] = {"scenarios": {key: {"steps": steps}}}
    return result
