"""What every certifying assessment must meet before it may certify anyone.

A certificate says its holder can meet a survivor without causing harm, so an
assessment must examine judgement, not reading stamina or test-wiseness. One pure
function, `assessment_problems`, holds every rule; `load_content`, `check_content` and
the admin forms all call it, so a rule cannot hold in one place and not another. Each
problem names its rule and the question or scenario it is about.

The rules (content/README.md, "Validity"):
1. no path through a scenario that holds a harmful or critical choice reaches the pass
   mark on points;
2. the right answer is not given away by being the longest or the shortest option;
3. wrong options are realistic mistakes, tagged with which kind, and every scenario has
   a decision where the kindest-sounding choice is wrong;
4. the bank is deep enough to draw from, for every jurisdiction and every module;
5–6. (complete courses) scenarios for every audience of the course, with decisions on
   every path and consequences that carry forward, and a draw large enough to certify;
7. (complete courses) no test-wise strategy passes: a learner who never read the
   course and always takes the longest option, or the shortest, or discards the harsh
   options and guesses, or takes the kindest-sounding one, passes fewer than 1 % of
   attempts (strategies.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from academy.core.vocab import (
    FAILING_GRADES,
    JURISDICTIONS,
    MISTAKES,
    QUESTION_JURISDICTIONS,
    REALISTIC_MISTAKES,
    WORK_ROLES,
)

from .definition import AssessmentData, ScenarioData
from .grading import scenario_percent
from .graph import Choice, Scenario, decisions_on_every_path, max_path_points, route
from .strategies import STRATEGIES, pass_chances, roles_that_matter

LENGTH_CUE_MAX = 0.35  # share of items whose right answer is the longest (or shortest)
REALISTIC_SHARE_MIN = 0.5  # share of wrong bank options that are realistic mistakes
BANK_FACTOR = 3  # the bank holds at least this many times the draw
POOL_FACTOR = 2  # each jurisdiction's pool holds at least this many times the draw
DECISIONS = (4, 6)  # decisions on every path of a complete course's scenario
FULL_DRAW_MIN, REFRESHER_DRAW_MIN = 15, 10
FULL_SCENARIOS_MIN, REFRESHER_SCENARIOS_MIN = 2, 1
TESTWISE_MAX = 0.01  # the chance a test-wise learner may have of passing an attempt
TESTWISE_DRAWS = 50  # sampled draws per jurisdiction and role (the seed is fixed)
PATHS_SHOWN = 5  # offending paths named per scenario; the rest are counted


@dataclass(frozen=True)
class Problem:
    # harmful-path, length-cue, mistakes, kindest-wrong, bank, scenarios, draw,
    # test-wise
    rule: str
    key: str  # the question, scenario or assessment it is about
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


# ---------------------------------------------------------------------------
# Paths through a scenario.


@dataclass(frozen=True)
class Path:
    """One way through a scenario: the choices taken, the ending, the points."""

    taken: tuple[tuple[str, Choice], ...]  # (step key, choice)
    ending: str
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def earned(self) -> int:
        return sum(self.totals.values())

    @property
    def failing(self) -> list[str]:
        return [c.key for _step, c in self.taken if c.grade in FAILING_GRADES]

    def describe(self) -> str:
        steps = ", ".join(f"{step} → {choice.key}" for step, choice in self.taken)
        return f"{steps} (ending '{self.ending}')"


def scenario_paths(scenario: Scenario) -> Iterator[Path]:
    """Every path a learner can take, routing steps followed as the learner's points
    at that moment decide (the graph is acyclic, so this ends)."""

    def walk(node: str, taken: tuple, totals: dict[str, int]) -> Iterator[Path]:
        step = scenario.step(node)
        if step is None:
            yield Path(taken=taken, ending=node, totals=totals)
            return
        if step.rules:
            yield from walk(route(step, totals), taken, totals)
            return
        for choice in step.choices:
            after = dict(totals)
            for dimension, points in choice.points.items():
                after[dimension] = after.get(dimension, 0) + points
            yield from walk(choice.next, (*taken, (step.key, choice)), after)

    if scenario.start is not None:
        yield from walk(scenario.start, (), {})


def _harmful_paths(a: AssessmentData) -> list[Problem]:
    problems = []
    for s in a.scenarios:
        graph = s.graph(a.dimensions)
        best = max_path_points(graph)["total"]
        offending = [
            (path, scenario_percent(path.earned, best))
            for path in scenario_paths(graph)
            if path.failing
            and scenario_percent(path.earned, best) >= a.scenario_pass_percent
        ]
        for path, percent in offending[:PATHS_SHOWN]:
            problems.append(
                Problem(
                    "harmful-path",
                    s.key,
                    f"scenario '{s.key}': the path {path.describe()} scores "
                    f"{percent}% (pass mark {a.scenario_pass_percent}%) although it "
                    f"holds {', '.join(repr(k) for k in path.failing)}; lower its "
                    "points or raise the best path's",
                )
            )
        if len(offending) > PATHS_SHOWN:
            problems.append(
                Problem(
                    "harmful-path",
                    s.key,
                    f"scenario '{s.key}': {len(offending) - PATHS_SHOWN} more paths "
                    "with a harmful or critical choice reach the pass mark",
                )
            )
    return problems


# ---------------------------------------------------------------------------
# Surface cues: is the right answer the longest or the shortest option?


@dataclass(frozen=True)
class CueItem:
    label: str  # "question 'q-x'" or "scenario 's' step 't'"
    lengths: dict[str, int]  # option or choice key -> characters
    right: frozenset[str]  # the correct option or the best choices

    @property
    def longest(self) -> bool:
        top = max(self.lengths.values())
        return any(self.lengths[k] == top for k in self.right)

    @property
    def shortest(self) -> bool:
        low = min(self.lengths.values())
        return any(self.lengths[k] == low for k in self.right)


@dataclass(frozen=True)
class CueStats:
    language: str
    items: list[CueItem]

    @property
    def longest(self) -> list[CueItem]:
        return [i for i in self.items if i.longest]

    @property
    def shortest(self) -> list[CueItem]:
        return [i for i in self.items if i.shortest]

    def share(self, which: Sequence[CueItem]) -> float:
        return len(which) / len(self.items) if self.items else 0.0


def cue_stats(a: AssessmentData, language: str) -> CueStats:
    """Single-answer questions and scenario decisions with a best choice, in one
    language; items missing text in that language are left out."""
    texts = a.texts(language)
    items = []
    for q in a.questions:
        if q.multiple or len(q.options) < 2:
            continue
        lengths = {k: len(v.strip()) for k, v in texts.options.get(q.key, {}).items()}
        if len(lengths) < 2 or not all(lengths.values()):
            continue
        right = frozenset(o.key for o in q.options if o.correct)
        items.append(CueItem(f"question '{q.key}'", lengths, right))
    for s in a.scenarios:
        for row in s.steps:
            choices = row["choices"]
            right = frozenset(c["key"] for c in choices if c["grade"] == "best")
            if len(choices) < 2 or not right or len(right) == len(choices):
                continue
            words = texts.choices.get((s.key, row["key"]), {})
            lengths = {c["key"]: len(words.get(c["key"], "").strip()) for c in choices}
            if not all(lengths.values()):
                continue
            items.append(
                CueItem(f"scenario '{s.key}' step '{row['key']}'", lengths, right)
            )
    return CueStats(language, items)


def _length_cues(a: AssessmentData, languages: Iterable[str]) -> list[Problem]:
    problems = []
    for language in languages:
        if language not in a.text:
            continue
        stats = cue_stats(a, language)
        for which, items in (("longest", stats.longest), ("shortest", stats.shortest)):
            share = stats.share(items)
            if share > LENGTH_CUE_MAX:
                shown = "; ".join(i.label for i in items[:12])
                more = f" and {len(items) - 12} more" if len(items) > 12 else ""
                problems.append(
                    Problem(
                        "length-cue",
                        a.key,
                        f"in {language}, the right answer is the {which} option in "
                        f"{len(items)} of {len(stats.items)} items "
                        f"({round(100 * share)}%, at most "
                        f"{round(100 * LENGTH_CUE_MAX)}%): {shown}{more}",
                    )
                )
    return problems


# ---------------------------------------------------------------------------
# Realistic mistakes.


def _mistakes(a: AssessmentData) -> list[Problem]:
    problems = []
    wrong = realistic = 0
    for q in a.questions:
        for o in q.options:
            if o.correct:
                if o.mistake:
                    problems.append(
                        Problem(
                            "mistakes",
                            q.key,
                            f"question '{q.key}' option '{o.key}' is correct but names "
                            f"a mistake ('{o.mistake}')",
                        )
                    )
                continue
            wrong += 1
            if o.mistake not in MISTAKES:
                problems.append(
                    Problem(
                        "mistakes",
                        q.key,
                        f"question '{q.key}' option '{o.key}' is wrong but does not "
                        f"say which mistake it stands for ({', '.join(MISTAKES)})",
                    )
                )
            elif o.mistake in REALISTIC_MISTAKES:
                realistic += 1
    if wrong and realistic / wrong < REALISTIC_SHARE_MIN:
        problems.append(
            Problem(
                "mistakes",
                a.key,
                f"only {realistic} of {wrong} wrong options "
                f"({round(100 * realistic / wrong)}%) are well-meant, procedural or "
                f"legal mistakes; at least {round(100 * REALISTIC_SHARE_MIN)}% must "
                "be: offer the mistakes kind officials really make",
            )
        )
    for s in a.scenarios:
        kindest_wrong = False
        for row in s.steps:
            for c in row["choices"]:
                mistake = c.get("mistake") or ""
                if c["grade"] != "best" and mistake not in MISTAKES:
                    problems.append(
                        Problem(
                            "mistakes",
                            s.key,
                            f"scenario '{s.key}' step '{row['key']}' choice "
                            f"'{c['key']}' is {c['grade']} but does not say which "
                            f"mistake it stands for ({', '.join(MISTAKES)})",
                        )
                    )
                if c["grade"] == "best" and mistake:
                    problems.append(
                        Problem(
                            "mistakes",
                            s.key,
                            f"scenario '{s.key}' step '{row['key']}' choice "
                            f"'{c['key']}' is best but names a mistake ('{mistake}')",
                        )
                    )
                if mistake == "well-meant" and c["grade"] in FAILING_GRADES:
                    kindest_wrong = True
        if not kindest_wrong:
            problems.append(
                Problem(
                    "kindest-wrong",
                    s.key,
                    f"scenario '{s.key}' has no decision where the kindest-sounding "
                    "choice is wrong: add a well-meant choice graded harmful or "
                    "critical",
                )
            )
    return problems


# ---------------------------------------------------------------------------
# The bank and the draw.


def module_quota(draw: int, modules: int) -> int:
    """The most questions one module can be asked to give to a draw."""
    return math.ceil(draw / modules) if modules else draw


def _bank(a: AssessmentData, modules: Sequence[str]) -> list[Problem]:
    problems = []
    if a.draw < 1:
        return [Problem("bank", a.key, "each attempt must draw at least one question")]
    if len(a.questions) < BANK_FACTOR * a.draw:
        problems.append(
            Problem(
                "bank",
                a.key,
                f"the bank has {len(a.questions)} questions for a draw of {a.draw}; "
                f"it needs at least {BANK_FACTOR * a.draw} (three times the draw)",
            )
        )
    for q in a.questions:
        if q.module not in modules:
            problems.append(
                Problem(
                    "bank",
                    q.key,
                    f"question '{q.key}' names the module '{q.module or '(none)'}', "
                    f"which is not one of the course's ({', '.join(modules)})",
                )
            )
        if q.jurisdiction not in QUESTION_JURISDICTIONS:
            problems.append(
                Problem(
                    "bank",
                    q.key,
                    f"question '{q.key}' needs a jurisdiction: "
                    f"{', '.join(QUESTION_JURISDICTIONS)}",
                )
            )
    if not modules:
        return problems
    if a.draw < len(modules):
        problems.append(
            Problem(
                "bank",
                a.key,
                f"a draw of {a.draw} cannot represent all {len(modules)} modules",
            )
        )
        return problems
    quota = module_quota(a.draw, len(modules))
    for jurisdiction in JURISDICTIONS:
        pool = [q for q in a.questions if q.jurisdiction in ("all", jurisdiction)]
        if len(pool) < POOL_FACTOR * a.draw:
            problems.append(
                Problem(
                    "bank",
                    a.key,
                    f"learners in '{jurisdiction}' draw from {len(pool)} questions "
                    f"('all' and '{jurisdiction}'); that pool needs at least "
                    f"{POOL_FACTOR * a.draw} (twice the draw)",
                )
            )
        for module in modules:
            count = sum(1 for q in pool if q.module == module)
            if count < quota:
                problems.append(
                    Problem(
                        "bank",
                        a.key,
                        f"learners in '{jurisdiction}' would find {count} question(s) "
                        f"on '{module}'; every module needs at least {quota} in each "
                        "jurisdiction's pool",
                    )
                )
    return problems


def _roles(a: AssessmentData) -> list[Problem]:
    problems = []
    for s in a.scenarios:
        if not s.roles or set(s.roles) - set(WORK_ROLES):
            problems.append(
                Problem(
                    "scenarios",
                    s.key,
                    f"scenario '{s.key}' needs 'roles' drawn from "
                    f"{', '.join(WORK_ROLES)}",
                )
            )
    if a.scenario_draw is not None and not 1 <= a.scenario_draw <= len(a.scenarios):
        problems.append(
            Problem(
                "scenarios",
                a.key,
                f"'scenario_draw' is {a.scenario_draw}, but the assessment has "
                f"{len(a.scenarios)} scenario(s)",
            )
        )
    return problems


# ---------------------------------------------------------------------------
# What a complete course's assessment must hold.


def _carries_forward(s: ScenarioData) -> bool:
    """An earlier choice changes what comes later: the choices of some decision lead
    to different steps, or the scenario routes on the points gathered."""
    steps = {row["key"] for row in s.steps}
    for row in s.steps:
        if row.get("route_dimension"):
            return True
        nexts = {c["next"] for c in row["choices"] if c["next"] in steps}
        if len(nexts) > 1:
            return True
    return False


def _complete(
    a: AssessmentData, *, audiences: Sequence[str], refresher: bool
) -> list[Problem]:
    problems = []
    least = REFRESHER_SCENARIOS_MIN if refresher else FULL_SCENARIOS_MIN
    if len(a.scenarios) < least:
        problems.append(
            Problem(
                "scenarios",
                a.key,
                f"a complete course has at least {least} scenario(s); this one has "
                f"{len(a.scenarios)}",
            )
        )
    for s in a.scenarios:
        low, high = decisions_on_every_path(s.graph(a.dimensions))
        if low < DECISIONS[0] or high > DECISIONS[1]:
            problems.append(
                Problem(
                    "scenarios",
                    s.key,
                    f"scenario '{s.key}' has {low}–{high} decisions on its paths; "
                    f"every path needs {DECISIONS[0]}–{DECISIONS[1]}",
                )
            )
        if not _carries_forward(s):
            problems.append(
                Problem(
                    "scenarios",
                    s.key,
                    f"scenario '{s.key}': no earlier choice changes what comes later; "
                    "let some decision's choices lead to different steps, or route on "
                    "points",
                )
            )
    for audience in audiences:
        if not any(audience in s.roles for s in a.scenarios):
            problems.append(
                Problem(
                    "scenarios",
                    a.key,
                    f"the course is for '{audience}', but no scenario has that role",
                )
            )
    least_draw = REFRESHER_DRAW_MIN if refresher else FULL_DRAW_MIN
    if a.draw < least_draw:
        problems.append(
            Problem(
                "draw",
                a.key,
                f"a complete {'refresher' if refresher else 'course'} draws at least "
                f"{least_draw} questions; this one draws {a.draw}",
            )
        )
    return problems


def assessment_problems(
    a: AssessmentData,
    *,
    modules: Sequence[str],
    languages: Iterable[str],
    complete: bool = False,
    audiences: Sequence[str] = (),
    refresher: bool = False,
) -> list[Problem]:
    """Every rule the assessment breaks; empty when it may certify."""
    problems = _harmful_paths(a)
    problems += _length_cues(a, languages)
    problems += _mistakes(a)
    problems += _bank(a, modules)
    problems += _roles(a)
    if complete:
        problems += _complete(a, audiences=audiences, refresher=refresher)
        problems += _test_wise(a, languages)
    return problems


def _test_wise(a: AssessmentData, languages: Iterable[str]) -> list[Problem]:
    """Rule 7: the worst case of each strategy, over jurisdictions and roles (and,
    for the length strategies, languages: each language's option lengths differ)."""
    if not a.questions and not a.scenarios:
        return []
    languages = [lang for lang in languages if lang in a.text] or ["en"]
    problems = []
    for strategy in STRATEGIES:
        reads = languages if strategy in ("longest", "shortest") else languages[:1]
        worst = max(
            (
                outcome
                for lang in reads
                for outcome in pass_chances(
                    a,
                    strategy=strategy,
                    language=lang,
                    jurisdictions=JURISDICTIONS,
                    roles=roles_that_matter(a),
                    draws=TESTWISE_DRAWS,
                )
            ),
            key=lambda o: o.chance,
        )
        if worst.chance > TESTWISE_MAX:
            problems.append(
                Problem(
                    "test-wise",
                    "",
                    f"{worst.describe()} (at most {100 * TESTWISE_MAX:.0f}% may): "
                    "make wrong options realistic mistakes, not harsh ones, and "
                    "vary which option is longest",
                )
            )
    return problems
