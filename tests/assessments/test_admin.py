"""Editors: the scenario graph is checked when a page is published in the admin, and
previewed as a learner would see it."""

import pytest
from django.core.management import call_command
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from academy.assessments.models import ScenarioPage
from academy.core.models import User

pytestmark = pytest.mark.django_db


def _choice(key, next_key, grade="best", points='{"safety": 1}', mistake=""):
    return {
        "key": key,
        "next_key": next_key,
        "grade": grade,
        "mistake": mistake,
        "points": points,
        "text_en": f"Choice {key}",
        "feedback_en": f"Feedback {key}",
    }


def _form(steps, endings=("end",), roles=("police",)):
    data = nested_form_data(
        {
            "title_en": "A scenario",
            "slug_en": "a-scenario",
            "steps": inline_formset(
                [
                    {
                        "key": key,
                        "narrative_en": f"Step {key}",
                        "route_comparison": "<",
                        "route_value": 0,
                        "choices": inline_formset(choices),
                    }
                    for key, choices in steps
                ]
            ),
            "endings": inline_formset(
                [
                    {"key": e, "title_en": f"Ending {e}", "summary_en": "Summary"}
                    for e in endings
                ]
            ),
            "action-publish": "publish",
        }
    )
    data["roles"] = list(roles)  # a multiple choice: one value per role
    return data


@pytest.fixture
def editor_client(client, assessment):
    """An academy administrator: curriculum editors submit to review instead of
    publishing (tests/courses/test_workflow.py), and publishing is where the graph
    must be sound."""
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="admin@example.org"))
    return client


SOUND = [
    (
        "start",
        [
            _choice("go", "middle", points='{"safety": 2}'),
            _choice("rescue", "middle", "harmful", "{}", "well-meant"),
        ],
    ),
    (
        "middle",
        [
            _choice("finish", "end", points='{"safety": 2}'),
            _choice("rush", "end", "acceptable", '{"safety": 1}', "procedural"),
        ],
    ),
]


def test_a_sound_scenario_publishes(editor_client, assessment):
    data = _form(SOUND)
    response = editor_client.post(
        f"/admin/pages/add/assessments/scenariopage/{assessment.pk}/", data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = ScenarioPage.objects.get(slug="a-scenario")
    assert page.live and [s.key for s in page.steps.all()] == ["start", "middle"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("start", [_choice("go", "nowhere")])], "leads to &#x27;nowhere&#x27;"),
        (
            [("start", [_choice("go", "end")]), ("orphan", [_choice("x", "end")])],
            "No path leads to step &#x27;orphan&#x27;",
        ),
        (
            [
                ("start", [_choice("go", "again")]),
                ("again", [_choice("back", "start")]),
            ],
            "loop back on themselves",
        ),
        (
            [("start", [_choice("go", "end", points='{"courage": 1}')])],
            "not one of the scenario",
        ),
    ],
    ids=["leads-nowhere", "unreachable", "cycle", "unknown-dimension"],
)
def test_a_broken_graph_is_refused_with_the_reason(
    editor_client, assessment, steps, message
):
    response = editor_client.post(
        f"/admin/pages/add/assessments/scenariopage/{assessment.pk}/", _form(steps)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScenarioPage.objects.filter(slug="a-scenario").exists()


def test_a_draft_may_be_unfinished(editor_client, assessment):
    data = _form([("start", [_choice("go", "nowhere")])])
    del data["action-publish"]
    response = editor_client.post(
        f"/admin/pages/add/assessments/scenariopage/{assessment.pk}/", data
    )
    assert response.status_code == 302
    assert not ScenarioPage.objects.get(slug="a-scenario").live


def test_the_preview_shows_each_step_as_a_learner_sees_it(editor_client, assessment):
    scenario = ScenarioPage.objects.get(slug="corridor")
    response = editor_client.get(f"/admin/pages/{scenario.pk}/edit/preview/?mode=")
    if response.status_code == 405 or "You arrive." not in response.content.decode():
        response = editor_client.get(f"/admin/pages/{scenario.pk}/view_draft/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "You arrive." in html and "Ask gently" in html and "Feedback for ask." in html
    )
    assert "Routing: if safety &lt; 2 go to repair, otherwise refer." in html


def test_learners_cannot_open_a_scenario_on_its_own(client, assessment):
    response = client.get(
        f"/en/courses/{assessment.get_parent().slug}/assessment/corridor/"
    )
    assert response.status_code == 302 and response["Location"].endswith("/assessment/")


def test_administrators_list_records_but_cannot_change_them(client, taker, assessment):
    taker.start()
    admin = User.objects.create_superuser(
        email="records@example.org", password="x-long-pass-9", full_name="Admin"
    )
    client.force_login(admin)
    listing = client.get("/admin/records/attempts/")
    assert listing.status_code == 200 and "Alex Rivera" in listing.content.decode()
    attempt_pk = assessment.attempts.get().pk
    assert (
        client.get(f"/admin/records/attempts/inspect/{attempt_pk}/").status_code == 200
    )
    assert client.get(f"/admin/records/attempts/edit/{attempt_pk}/").status_code in (
        302,
        403,
        404,
    )
    assert client.post(f"/admin/records/attempts/delete/{attempt_pk}/").status_code in (
        302,
        403,
        404,
    )
    assert assessment.attempts.count() == 1
    export = client.get("/admin/records/attempts/?export=csv")
    assert export.status_code == 200
    assert b"Alex Rivera" in b"".join(export.streaming_content)
    # A curriculum editor does not see learners' records at all.
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="editor@example.org"))
    assert client.get("/admin/records/attempts/").status_code in (302, 403)


def test_the_edit_pages_open_with_every_language(editor_client, assessment):
    scenario = ScenarioPage.objects.get(slug="corridor")
    for page in (assessment, scenario):
        response = editor_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200
        html = response.content.decode()
        for lang in ("en", "es", "fr", "ar"):
            assert f"title_{lang}" in html
    html = editor_client.get(f"/admin/pages/{scenario.pk}/edit/").content.decode()
    assert "steps-0-choices-0-text_ar" in html and "steps-0-choices-0-next_key" in html
    assert "steps-0-choices-0-next_key_ar" not in html  # structure is not translated


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # The harmful first choice still earns enough to reach the pass mark.
        (
            lambda steps: steps[0][1].__setitem__(
                1, _choice("rescue", "middle", "harmful", '{"safety": 2}', "well-meant")
            ),
            "although it holds",
        ),
        # No choice says which mistake it stands for.
        (
            lambda steps: steps[1][1].__setitem__(
                1, _choice("rush", "end", "acceptable", '{"safety": 1}')
            ),
            "does not say which mistake",
        ),
        # The kindest-sounding choice is not wrong anywhere.
        (
            lambda steps: steps[0][1].__setitem__(
                1, _choice("rescue", "middle", "harmful", "{}", "harsh")
            ),
            "kindest-sounding",
        ),
    ],
    ids=["harmful-path-passes", "untagged-mistake", "no-kindest-wrong"],
)
def test_the_validity_rules_refuse_a_scenario_in_the_admin(
    editor_client, assessment, change, message
):
    steps = [(key, list(choices)) for key, choices in SOUND]
    change(steps)
    response = editor_client.post(
        f"/admin/pages/add/assessments/scenariopage/{assessment.pk}/", _form(steps)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScenarioPage.objects.filter(slug="a-scenario").exists()
