"""The validity rules every certifying assessment must meet (assessments.validity),
and what an attempt draws. Pure functions: no database."""

import copy
import random
from pathlib import Path

import pytest
import yaml

from academy.assessments import grading
from academy.assessments.definition import (
    AssessmentData,
    OptionData,
    QuestionData,
    ScenarioData,
)
from academy.assessments.strategies import pass_chances, scenario_chance
from academy.assessments.validity import (
    assessment_problems,
    cue_stats,
    scenario_paths,
)
from academy.curriculum.assessment_files import read_assessment
from academy.curriculum.yaml_io import ErrorSink, load_yaml

FIXTURE = Path(__file__).parent.parent / "fixtures" / "foundations-2026.1"


def _rules(problems):
    return {p.rule for p in problems}


# ---------------------------------------------------------------------------
# The Foundations assessment as it stood before the review fails, for its reasons.


@pytest.fixture
def old_foundations(tmp_path) -> AssessmentData:
    """The 2026.1 assessment, tagged minimally (every wrong option "harsh", every
    scenario for police, every question "all") so the older file reads; its
    structure, points and words are as they were."""
    data = yaml.safe_load((FIXTURE / "structure.yaml").read_text())
    for q in data["bank"]["questions"]:
        q.update(module="f1", jurisdiction="all")
        for o in q["options"]:
            if not o["correct"]:
                o["mistake"] = "harsh"
    for s in data["scenarios"]:
        s["roles"] = ["police"]
        for step in s["steps"]:
            for c in step.get("choices") or []:
                if c["grade"] != "best":
                    c["mistake"] = "harsh"
    folder = tmp_path / "assessment"
    folder.mkdir()
    (folder / "structure.yaml").write_text(yaml.safe_dump(data))
    (folder / "en.yaml").write_text((FIXTURE / "en.yaml").read_text())
    error = ErrorSink()
    read = read_assessment(
        folder,
        languages=["en"],
        load_yaml=lambda p: load_yaml(p, error),
        error=error,
    )
    assert read is not None, [str(e) for e in error.errors]
    return read


def test_the_reviews_figures_are_found_again(old_foundations):
    a = old_foundations
    paths = [p for s in a.scenarios for p in scenario_paths(s.graph(a.dimensions))]
    assert len(paths) == 364  # "9 of the 364 paths"
    stats = cue_stats(a, "en")
    # "the longest in 21 of 27 single-answer questions … 14 of 14 decision steps"
    assert (len(stats.longest), len(stats.items)) == (35, 41)


def test_the_old_assessment_breaks_the_rules_the_review_named(old_foundations):
    old_foundations.scenario_pass_percent = 75  # its pass mark then
    problems = assessment_problems(
        old_foundations, modules=["f1"], languages=["en"], complete=True
    )
    assert {
        "harmful-path",
        "length-cue",
        "mistakes",
        "kindest-wrong",
        "bank",
        "test-wise",
    } <= _rules(problems)
    harmful = [p for p in problems if p.rule == "harmful-path"]
    # 9 paths pass with a harmful choice: 5 shown per scenario, named step by step.
    named = " ".join(p.message for p in harmful)
    assert "report → share-widely (ending 'record-harms') scores 76.5%" in named
    assert "hint-to-supervisor" in named
    assert len([p for p in harmful if "more paths" not in p.message]) == 9


def test_the_old_assessment_passes_without_the_course(old_foundations):
    """The review's findings, as figures: always taking the longest choice passed
    both scenarios, and discarding the harsh options passed the whole assessment
    (every wrong option then was harsh, as tagged here)."""
    old_foundations.scenario_pass_percent = 75
    texts = old_foundations.texts("en")
    assert [
        scenario_chance(old_foundations, i, texts, "longest") for i in range(2)
    ] == [1.0, 1.0]
    chance = {
        strategy: max(
            o.chance
            for o in pass_chances(
                old_foundations,
                strategy=strategy,
                language="en",
                jurisdictions=["us", "coe_eu"],
                roles=["police"],
                draws=50,
            )
        )
        for strategy in ("longest", "eliminate", "shortest")
    }
    assert chance["eliminate"] == 1.0
    assert chance["shortest"] == 0.0
    problems = assessment_problems(
        old_foundations, modules=["f1"], languages=["en"], complete=True
    )
    wise = " ".join(p.message for p in problems if p.rule == "test-wise")
    assert "picks 'eliminate'" in wise and "passes 100.0% of attempts" in wise


# ---------------------------------------------------------------------------
# Each rule on a small assessment built for it.


def _q(key, module="m1", jurisdiction="all", mistakes=("well-meant", "legal")):
    return QuestionData(
        key=key,
        module=module,
        jurisdiction=jurisdiction,
        multiple=False,
        options=[OptionData("a", True)]
        + [OptionData(chr(98 + i), False, m) for i, m in enumerate(mistakes)],
    )


def _scenario(key="s", harmful_points=0, roles=("police",)):
    """start: best (2) or a well-meant harmful choice; then: best (2) or acceptable
    (1). The best path earns 4."""
    steps = [
        {
            "key": "start",
            "route_dimension": "",
            "choices": [
                {"key": "good", "next": "then", "grade": "best", "points": {"d": 2}},
                {
                    "key": "rescue",
                    "next": "then",
                    "grade": "harmful",
                    "mistake": "well-meant",
                    "points": {"d": harmful_points},
                },
            ],
        },
        {
            "key": "then",
            "route_dimension": "",
            "choices": [
                {"key": "fine", "next": "end", "grade": "best", "points": {"d": 2}},
                {
                    "key": "rushed",
                    "next": "end",
                    "grade": "acceptable",
                    "mistake": "procedural",
                    "points": {"d": 1},
                },
            ],
        },
    ]
    return ScenarioData(key=key, roles=list(roles), steps=steps, endings=["end"])


def _assessment(questions=None, scenarios=None, draw=2, texts=None):
    questions = questions if questions is not None else [_q(f"q{i}") for i in range(6)]
    return AssessmentData(
        key="test",
        dimensions=["d"],
        scenario_pass_percent=80,
        knowledge_pass_percent=80,
        draw=draw,
        questions=questions,
        scenarios=scenarios if scenarios is not None else [_scenario()],
        text=texts or {},
    )


def test_a_sound_assessment_has_no_problem():
    assert assessment_problems(_assessment(), modules=["m1"], languages=[]) == []


def test_a_harmful_choice_that_still_reaches_the_pass_mark_is_named():
    a = _assessment(scenarios=[_scenario(harmful_points=2)])
    problems = assessment_problems(a, modules=["m1"], languages=[])
    assert _rules(problems) == {"harmful-path"}
    assert "start → rescue, then → fine (ending 'end') scores 100.0%" in (
        problems[0].message
    )


def test_every_wrong_option_names_its_mistake_and_most_are_realistic():
    untagged = _q("q0", mistakes=("",))
    harsh = [_q(f"h{i}", mistakes=("harsh", "harsh")) for i in range(5)]
    problems = assessment_problems(
        _assessment(questions=[untagged, *harsh]), modules=["m1"], languages=[]
    )
    messages = " ".join(p.message for p in problems if p.rule == "mistakes")
    assert "question 'q0' option 'b' is wrong but does not say" in messages
    assert "0 of 11 wrong options" in messages


def test_every_scenario_needs_a_kindest_sounding_wrong_choice():
    scenario = _scenario()
    scenario.steps[0]["choices"][1]["mistake"] = "harsh"
    problems = assessment_problems(
        _assessment(scenarios=[scenario]), modules=["m1"], languages=[]
    )
    assert _rules(problems) == {"kindest-wrong"}


def test_the_bank_must_hold_three_draws_and_every_module_in_every_pool():
    questions = [_q(f"q{i}", module="m1") for i in range(5)] + [
        _q("only-us", module="m2", jurisdiction="us")
    ]
    problems = assessment_problems(
        _assessment(questions=questions), modules=["m1", "m2"], languages=[]
    )
    messages = [p.message for p in problems if p.rule == "bank"]
    assert any(
        "learners in 'coe_eu' would find 0 question(s) on 'm2'" in m for m in messages
    )
    assert not any("three times" in m for m in messages)  # 6 ≥ 3 × 2
    too_few = assessment_problems(
        _assessment(questions=questions[:5]), modules=["m1"], languages=[]
    )
    assert any("three times the draw" in p.message for p in too_few)


def _texts(lengths: dict[str, tuple[int, int, int]]) -> dict:
    """English option texts of the given lengths: (right, wrong, wrong)."""
    bank = {}
    for key, (right, *wrong) in lengths.items():
        bank[key] = {
            "options": {
                "a": {"text": "r" * right},
                **{chr(98 + i): {"text": "w" * n} for i, n in enumerate(wrong)},
            }
        }
    return {"en": {"bank": bank, "scenarios": {}}}


def test_the_right_answer_may_not_be_the_longest_too_often():
    keys = [f"q{i}" for i in range(6)]
    cue = _texts(dict.fromkeys(keys, (90, 40, 50)))  # always the longest
    problems = assessment_problems(
        _assessment(texts=cue), modules=["m1"], languages=["en"]
    )
    assert any(
        p.rule == "length-cue" and "the longest option in 6 of 6 items" in p.message
        for p in problems
    )
    mixed = _texts(
        {k: (90, 40, 50) if i < 2 else (45, 40, 50) for i, k in enumerate(keys)}
    )
    problems = assessment_problems(
        _assessment(texts=mixed), modules=["m1"], languages=["en"]
    )
    assert "length-cue" not in _rules(problems)  # 2 of 6 = 33 %


def test_a_complete_course_needs_scenarios_for_every_audience():
    problems = assessment_problems(
        _assessment(draw=15, questions=[_q(f"q{i}") for i in range(45)]),
        modules=["m1"],
        languages=[],
        complete=True,
        audiences=["police", "border"],
    )
    messages = " ".join(p.message for p in problems)
    assert "no scenario has that role" in messages and "'border'" in messages
    assert "at least 2 scenario(s)" in messages
    assert "needs 4–6" in messages  # two decisions only


# ---------------------------------------------------------------------------
# Grading: a harmful choice fails its scenario (schema 2), whatever the points.


def _snapshot(harmful_fails=True):
    scenario = _scenario(harmful_points=2)
    return {
        "schema": 2,
        "rules": {
            "scenario_pass_percent": 80,
            "knowledge_pass_percent": 80,
            "bank_draw": 0,
            "harmful_fails": harmful_fails,
        },
        "dimensions": [{"key": "d", "label": {}}],
        "questions": [],
        "scenarios": [
            {"key": "s", "steps": scenario.steps, "endings": [{"key": "end"}]}
        ],
    }


def test_a_harmful_choice_fails_the_scenario_however_many_points():
    answers = {"s:s:start": {"choice": "rescue"}, "s:s:then": {"choice": "fine"}}
    result = grading.grade(_snapshot(), answers)
    part = result["parts"][0]
    assert part["percent"] == 100.0 and part["harmful"] == ["rescue"]
    assert not part["passed"] and not result["passed"]
    # An attempt started before the rule keeps the rule it started with.
    assert grading.grade(_snapshot(harmful_fails=False), answers)["passed"]


# ---------------------------------------------------------------------------
# What an attempt draws.


QUESTIONS = [
    {"key": f"{m}-{j}-{i}", "module": m, "jurisdiction": j}
    for m in ("m1", "m2", "m3")
    for j in ("all", "us", "coe_eu", "intl")
    for i in range(4)
]


@pytest.mark.parametrize("jurisdiction", ["us", "coe_eu", "intl"])
def test_the_draw_is_the_learners_law_every_module_the_same_count(jurisdiction):
    for seed in range(50):
        drawn = grading.draw_questions(
            QUESTIONS, draw=10, jurisdiction=jurisdiction, rng=random.Random(seed)
        )
        assert len(drawn) == len(set(drawn)) == 10
        assert all(k.split("-")[1] in ("all", jurisdiction) for k in drawn)
        per_module = {m: sum(k.startswith(m) for k in drawn) for m in ("m1", "m2")}
        per_module["m3"] = 10 - sum(per_module.values())
        assert sorted(per_module.values()) == [3, 3, 4]  # every module, evenly


def test_the_draw_fills_from_other_modules_when_one_is_thin():
    thin = [q for q in QUESTIONS if not (q["module"] == "m3" and q["key"][-1] != "0")]
    drawn = grading.draw_questions(
        thin, draw=12, jurisdiction="us", rng=random.Random(1)
    )
    assert len(drawn) == 12 and sum(k.startswith("m3") for k in drawn) == 2


SCENARIOS = [
    {"key": "hotel", "roles": ["police"]},
    {"key": "warehouse", "roles": ["employer"]},
    {"key": "ferry", "roles": ["border"]},
    {"key": "court", "roles": ["prosecution", "judiciary"]},
]


@pytest.mark.parametrize(
    ("role", "own"),
    [("police", "hotel"), ("judiciary", "court"), ("employer", "warehouse")],
)
def test_the_learners_own_scenario_first_then_one_of_the_others(role, own):
    seen_other = set()
    for seed in range(40):
        chosen = grading.draw_scenarios(
            SCENARIOS, count=2, role=role, rng=random.Random(seed)
        )
        assert chosen[0] == (own, "role")
        assert chosen[1][1] == "other" and chosen[1][0] != own
        seen_other.add(chosen[1][0])
    assert len(seen_other) == 3  # any of the others


def test_someone_in_other_work_plays_two_drawn_scenarios():
    chosen = grading.draw_scenarios(
        SCENARIOS, count=2, role="other", rng=random.Random(3)
    )
    assert len(chosen) == 2 and all(why == "other" for _key, why in chosen)
    everything = grading.draw_scenarios(
        SCENARIOS, count=None, role="police", rng=random.Random(3)
    )
    assert [k for k, _ in everything] == ["hotel", "warehouse", "ferry", "court"]


def test_the_old_snapshot_format_still_grades(old_foundations):
    """A schema 1 attempt (no tags, no harmful rule) grades as it always did."""
    scenario = copy.deepcopy(old_foundations.scenarios[0])
    snapshot = {
        "schema": 1,
        "rules": {"scenario_pass_percent": 75, "knowledge_pass_percent": 80},
        "dimensions": [{"key": d, "label": {}} for d in old_foundations.dimensions],
        "questions": [],
        "scenarios": [
            {
                "key": scenario.key,
                "steps": scenario.steps,
                "endings": [{"key": e} for e in scenario.endings],
            }
        ],
    }
    assert grading.current_item(snapshot, {}).kind == grading.STEP
