"""Every shipped certifying assessment examines judgement: a learner who never read
the course cannot pass it by being test-wise (issue 9: "always choosing the longest
or the most careful-sounding answer no longer passes"), and no harmful path passes.
Pure reading of content/: no database."""

from pathlib import Path

import pytest
from django.conf import settings

from academy.assessments.grading import scenario_percent
from academy.assessments.graph import max_path_points
from academy.assessments.strategies import (
    STRATEGIES,
    pass_chances,
    roles_that_matter,
    scenario_chance,
)
from academy.assessments.validity import scenario_paths
from academy.core.vocab import FAILING_GRADES, JURISDICTIONS
from academy.curriculum.reader import read_curriculum

CONTENT = Path(settings.BASE_DIR) / "content"
COURSES = sorted(
    p.name for p in CONTENT.iterdir() if (p / "assessment" / "structure.yaml").exists()
)


@pytest.fixture(scope="module", params=COURSES)
def assessment(request):
    curriculum = read_curriculum(CONTENT, course=request.param)
    (course,) = [c for c in curriculum.courses if c.key == request.param]
    return course.assessment


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_no_test_wise_learner_passes(assessment, strategy):
    languages = sorted(assessment.text)
    assert languages == ["ar", "en", "es", "fr"]
    outcomes = [
        o
        for lang in languages
        for o in pass_chances(
            assessment,
            strategy=strategy,
            language=lang,
            jurisdictions=JURISDICTIONS,
            roles=roles_that_matter(assessment),
            draws=100,
        )
    ]
    worst = max(outcomes, key=lambda o: o.chance)
    assert worst.chance < 0.01, worst.describe()


def test_the_longest_or_kindest_choice_fails_every_scenario(assessment):
    for lang in sorted(assessment.text):
        texts = assessment.texts(lang)
        for i, scenario in enumerate(assessment.scenarios):
            for strategy in ("longest", "kindest"):
                chance = scenario_chance(assessment, i, texts, strategy)
                assert chance < 0.05, (scenario.key, lang, strategy, chance)


def test_no_harmful_path_passes(assessment):
    for scenario in assessment.scenarios:
        graph = scenario.graph(assessment.dimensions)
        best = max_path_points(graph)["total"]
        for path in scenario_paths(graph):
            if any(c.grade in FAILING_GRADES for _s, c in path.taken):
                assert (
                    scenario_percent(path.earned, best)
                    < assessment.scenario_pass_percent
                ), path.describe()
