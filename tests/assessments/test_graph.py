"""The scenario graph rules: one pure validator for the admin, the loader and checks."""

import pytest

from academy.assessments.graph import (
    Choice,
    Rule,
    Scenario,
    Step,
    decisions_on_every_path,
    max_path_points,
    route,
    validate_bank,
    validate_scenario,
)

DIMS = ("safety", "trust")


def sound() -> Scenario:
    """arrive → (ask | accuse) → check → (refer-well | refer-late) → endings."""
    return Scenario(
        steps=(
            Step(
                "arrive",
                (
                    Choice("ask", "check", "best", {"safety": 2, "trust": 1}),
                    Choice("accuse", "check", "critical", {"trust": 0}),
                ),
            ),
            Step(
                "check",
                rules=(
                    Rule("repair", "safety", "<", 2),
                    Rule("refer"),
                ),
            ),
            Step("repair", (Choice("apologise", "refer", "acceptable", {"trust": 1}),)),
            Step(
                "refer",
                (
                    Choice("refer-well", "good-end", "best", {"safety": 2, "trust": 2}),
                    Choice("refer-late", "poor-end", "harmful", {"safety": 0}),
                ),
            ),
        ),
        endings=("good-end", "poor-end"),
        dimensions=DIMS,
    )


def replace_step(scenario: Scenario, key: str, step: Step) -> Scenario:
    steps = tuple(step if s.key == key else s for s in scenario.steps)
    return Scenario(steps, scenario.endings, scenario.dimensions)


def test_a_sound_scenario_has_no_problems():
    assert validate_scenario(sound()) == []


def test_a_choice_that_leads_nowhere():
    broken = replace_step(
        sound(), "repair", Step("repair", (Choice("apologise", "nowhere"),))
    )
    assert validate_scenario(broken) == [
        "Choice 'apologise' in step 'repair' leads to 'nowhere', which is neither a "
        "step nor an ending."
    ]


def test_a_step_nobody_can_reach():
    s = sound()
    orphan = Step("orphan", (Choice("x", "good-end"),))
    problems = validate_scenario(Scenario(s.steps + (orphan,), s.endings, s.dimensions))
    assert problems == ["No path leads to step 'orphan'."]


def test_an_ending_nobody_can_reach():
    s = sound()
    problems = validate_scenario(Scenario(s.steps, s.endings + ("lost",), s.dimensions))
    assert problems == ["No path leads to the ending 'lost'."]


def test_a_cycle():
    looped = replace_step(
        sound(), "repair", Step("repair", (Choice("again", "arrive"),))
    )
    (problem,) = validate_scenario(looped)
    assert problem.startswith("The steps loop back on themselves: ")
    assert "arrive" in problem and "repair" in problem


def test_a_path_with_no_ending():
    stuck = replace_step(sound(), "repair", Step("repair"))
    assert validate_scenario(stuck) == [
        "Step 'repair' has no choices, so a learner who reaches it is stuck."
    ]


def test_routing_needs_a_fallback_last_and_known_dimensions():
    no_fallback = replace_step(
        sound(), "check", Step("check", rules=(Rule("repair", "safety", "<", 2),))
    )
    assert any("has no fallback" in p for p in validate_scenario(no_fallback))
    fallback_first = replace_step(
        sound(),
        "check",
        Step(
            "check",
            rules=(
                Rule("refer"),
                Rule("repair", "safety", "<", 2),
            ),
        ),
    )
    assert any("put it last" in p for p in validate_scenario(fallback_first))
    unknown = replace_step(
        sound(),
        "check",
        Step(
            "check",
            rules=(
                Rule("repair", "courage", "<", 2),
                Rule("refer"),
            ),
        ),
    )
    assert any("tests 'courage'" in p for p in validate_scenario(unknown))


def test_unknown_grades_dimensions_and_negative_points():
    bad = replace_step(
        sound(),
        "repair",
        Step(
            "repair",
            (Choice("apologise", "refer", "brilliant", {"courage": 1, "trust": -1}),),
        ),
    )
    problems = validate_scenario(bad)
    assert any("grade 'brilliant'" in p for p in problems)
    assert any("points on 'courage'" in p for p in problems)
    assert any("zero or more, on 'trust'" in p for p in problems)


def test_duplicate_keys():
    s = sound()
    twice = Scenario(s.steps + (s.steps[0],), s.endings, s.dimensions)
    assert "Two steps share the key 'arrive'." in validate_scenario(twice)


def test_max_path_points_follows_the_single_best_path():
    # ask (2+1) → check → refer (routing: safety 2 is not < 2) → refer-well (2+2) = 7;
    # the rule is treated as open both ways, and the detour via repair adds 1 → 8.
    assert max_path_points(sound()) == {"total": 8, "safety": 4, "trust": 4}


def test_routing_on_points_gathered():
    check = sound().step("check")
    assert route(check, {"safety": 0}) == "repair"
    assert route(check, {"safety": 2}) == "refer"


def test_decisions_on_every_path():
    # arrive + refer on the short path; arrive + repair + refer on the detour.
    assert decisions_on_every_path(sound()) == (2, 3)


@pytest.mark.parametrize(
    ("keys", "draw", "problem"),
    [
        (["a", "b"], 3, "The bank has 2 questions but each attempt draws 3"),
        (["a", "a", "b"], 2, "Two questions in the bank share the key 'a'."),
        (["a"], 0, "Each attempt must draw at least one question."),
    ],
)
def test_bank_problems(keys, draw, problem):
    assert any(p.startswith(problem) for p in validate_bank(keys, draw))


def test_a_big_enough_bank():
    assert validate_bank([f"q{i}" for i in range(15)], 10) == []
