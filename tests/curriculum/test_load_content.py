"""The loader: against the whole real curriculum once (loaded twice), otherwise
against Foundations alone (foundations_content, tests/curriculum/conftest.py)."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Revision

from academy.assessments.models import AssessmentPage, ScenarioPage
from academy.courses.models import (
    CoursePage,
    Enrollment,
    GlossaryTerm,
    ModulePage,
    ModuleProgress,
)
from academy.curriculum import digests, reader
from academy.curriculum.loader import content_load
from academy.curriculum.reader import read_curriculum
from academy.curriculum.yaml_io import ContentInvalid
from academy.workplace.models import Standard

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _run(capsys, *args) -> str:
    call_command("load_content", *args)
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_second_run_changes_nothing(capsys, django_assert_max_num_queries):
    """The whole real curriculum, loaded twice: the second load reads no unchanged
    file again and writes nothing, in a few queries whatever the number of courses."""
    first = _run(capsys)
    pages, revisions = Page.objects.count(), Revision.objects.count()
    with (
        django_assert_max_num_queries(30),
        CaptureQueriesContext(connection) as queries,
    ):
        second = _run(capsys)
    assert first.startswith("created ") and "created 0" not in first
    assert second.startswith("created 0, updated 0, unchanged ")
    # Every page but the tree root, the glossary and the workplace standard.
    assert int(second.rsplit(" ", 1)[1]) == (
        pages - 1 + GlossaryTerm.objects.exists() + Standard.objects.count()
    )
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert [q["sql"] for q in queries if q["sql"].lstrip().startswith(WRITES)] == []


def _revisions() -> dict[int, int]:
    """Page id -> how many revisions it has."""
    counts: dict[int, int] = {}
    for object_id in Revision.objects.values_list("object_id", flat=True):
        counts[int(object_id)] = counts.get(int(object_id), 0) + 1
    return counts


def _new_revisions(before: dict[int, int]) -> list[str]:
    after = _revisions()
    changed = [pk for pk, n in after.items() if n != before.get(pk, 0)]
    return sorted(p.specific.content_key for p in Page.objects.filter(pk__in=changed))


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_word_changed_in_one_lesson_reloads_that_module_alone(foundations_copy):
    content_load(root=foundations_copy)
    before = _revisions()
    _replace(
        foundations_copy / "foundations" / "es" / "f3-six-principles.yaml",
        "la explotación permanece plegado",
        "la explotación queda plegado",
    )
    report = content_load(root=foundations_copy)
    assert (report.created, report.updated) == ([], ["module f3-six-principles"])
    assert _new_revisions(before) == ["f3-six-principles"]
    module = ModulePage.objects.get(content_key="f3-six-principles")
    body = "".join(str(b.value) for b in module.body_es)
    assert "la explotación queda plegado" in body
    english = "".join(str(b.value) for b in module.body_en)
    assert "queda plegado" not in english


def test_a_word_changed_in_an_assessment_file_reloads_that_page_alone(
    foundations_copy,
):
    content_load(root=foundations_copy)
    french = foundations_copy / "foundations" / "assessment" / "fr.yaml"
    # A choice's feedback in one scenario: that scenario's page alone.
    before = _revisions()
    _replace(
        french,
        "Vous évitez ainsi de la questionner dans un couloir",
        "Vous évitez ainsi de l'interroger dans un couloir",
    )
    report = content_load(root=foundations_copy)
    (scenario,) = [
        s
        for s in ScenarioPage.objects.all()
        for step in s.steps.all()
        for c in step.choices.all()
        if "de l'interroger dans un couloir" in (c.feedback_fr or "")
    ]
    assert (report.created, report.updated) == (
        [],
        [f"scenario {scenario.content_key}"],
    )
    assert _new_revisions(before) == [scenario.content_key]
    # A bank question: the assessment page alone.
    before = _revisions()
    _replace(
        french,
        "qu'est-ce qui doit être réuni",
        "qu'est-ce qui doit être présent",
    )
    report = content_load(root=foundations_copy)
    assert (report.created, report.updated) == (
        [],
        ["assessment foundations-assessment"],
    )
    assert _new_revisions(before) == ["foundations-assessment"]
    question = AssessmentPage.objects.get().questions.get(key="q-act-means-purpose")
    assert "qu'est-ce qui doit être présent" in question.question_fr


def test_a_word_changed_in_the_glossary_reloads_the_glossary_alone(foundations_copy):
    content_load(root=foundations_copy)
    before = _revisions()
    _replace(
        foundations_copy / "glossary" / "es.yaml",
        "Norma federal de confidencialidad",
        "Regla federal de confidencialidad",
    )
    report = content_load(root=foundations_copy)
    assert (report.created, report.updated) == ([], ["glossary"])
    assert _new_revisions(before) == []
    term = GlossaryTerm.objects.get(key="usc-1367-confidentiality")
    assert term.definition_es.startswith("Regla federal de confidencialidad")


def test_new_reading_code_reads_every_file_again_and_publishes_nothing_new(
    foundations_copy, monkeypatch
):
    """A change to how files are read (digests.CODE_MODULES) reads every part again;
    pages whose content comes out the same get no new revision. So does --force."""
    content_load(root=foundations_copy)
    before = _revisions()
    read = []
    real_read_module = reader.read_module
    monkeypatch.setattr(
        reader,
        "read_module",
        lambda *a, **k: read.append(a[0]) or real_read_module(*a, **k),
    )
    assert content_load(root=foundations_copy).updated == []
    assert read == []  # nothing changed: nothing read
    monkeypatch.setattr(digests, "code_digest", lambda: "a new version of the code")
    report = content_load(root=foundations_copy)
    assert (report.created, report.updated) == ([], [])
    assert len(read) == 4 * ModulePage.objects.count()
    read.clear()
    report = content_load(root=foundations_copy, force=True)
    assert (report.created, report.updated) == ([], [])
    assert len(read) == 4 * ModulePage.objects.count()
    assert _new_revisions(before) == []


def test_a_deleted_page_is_made_again(foundations_copy):
    content_load(root=foundations_copy)
    ModulePage.objects.get(content_key="f3-six-principles").delete()
    report = content_load(root=foundations_copy)
    assert report.created == ["module f3-six-principles"]
    assert ModulePage.objects.filter(content_key="f3-six-principles").exists()


def test_loads_foundations_in_four_languages(foundations_content):
    content_load(root=foundations_content)
    course = CoursePage.objects.get(content_key="foundations")
    modules = ModulePage.objects.child_of(course).live().order_by("path")
    assert [m.content_key for m in modules][:2] == [
        "f1-what-it-is",
        "f2-trauma-and-the-brain",
    ]
    for module in modules[:2]:
        for lang in ("en", "es", "fr", "ar"):
            assert getattr(module, f"title_{lang}"), (module, lang)
            assert len(getattr(module, f"body_{lang}")) > 5, (module, lang)
        # Block ids are the stable keys from content/.
        assert [b.id for b in module.body_en] == [b.id for b in module.body_ar]
        assert module.sources


def test_changed_file_publishes_one_new_revision(foundations_copy):
    content_load(root=foundations_copy)
    module = ModulePage.objects.get(content_key="f2-trauma-and-the-brain")
    revisions = Revision.objects.filter(object_id=str(module.pk)).count()
    path = foundations_copy / "foundations" / "en" / "f2-trauma-and-the-brain.yaml"
    path.write_text(
        path.read_text().replace(
            "title: Trauma and the brain", "title: Trauma, memory and the brain", 1
        )
    )
    report = content_load(root=foundations_copy)
    assert report.updated == ["module f2-trauma-and-the-brain"]
    module.refresh_from_db()
    assert module.title_en == "Trauma, memory and the brain"
    assert Revision.objects.filter(object_id=str(module.pk)).count() == revisions + 1


BROKEN = {
    "unknown block type": (
        "en/f1-what-it-is.yaml",
        lambda s: s.replace("type: key_points", "type: bullet_list", 1),
        "unknown type 'bullet_list'",
    ),
    "missing block key": (
        "en/f2-trauma-and-the-brain.yaml",
        lambda s: s.replace("  - key: three-es\n", "  - \n", 1),
        "needs a 'key'",
    ),
    "malformed YAML": (
        "es/f1-what-it-is.yaml",
        lambda s: s.replace("blocks:", "blocks: [", 1),
        "is not valid YAML",
    ),
    "broken reference: a module file nobody lists": (
        "fr/f9-unlisted.yaml",
        lambda s: "key: f9-unlisted\n",
        "is not a module listed in course.yaml",
    ),
    "translation with a different structure": (
        "ar/f2-trauma-and-the-brain.yaml",
        lambda s: s.replace("key: three-es", "key: three-es-renamed", 1),
        "does not match the English structure",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_file_is_named_and_nothing_is_written(case, foundations_copy, capsys):
    relative, mutate, reason = BROKEN[case]
    path = foundations_copy / "foundations" / relative
    path.write_text(mutate(path.read_text() if path.exists() else ""), encoding="utf-8")
    pages = Page.objects.count()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_content", "--path", str(foundations_copy))
    err = capsys.readouterr().err
    assert relative.split("/")[-1] in err and reason in err
    assert Page.objects.count() == pages  # the valid files were not loaded either


def test_missing_english_module_is_a_broken_reference(foundations_copy):
    (foundations_copy / "foundations" / "en" / "f1-what-it-is.yaml").unlink()
    with pytest.raises(ContentInvalid) as raised:
        read_curriculum(foundations_copy)
    assert "English is required" in str(raised.value)


def test_markdown_outside_the_subset_is_rejected(foundations_copy):
    path = foundations_copy / "foundations" / "en" / "f1-what-it-is.yaml"
    path.write_text(path.read_text().replace("### ", "## ", 1))
    with pytest.raises(ContentInvalid, match="level-2 heading"):
        read_curriculum(foundations_copy)


def test_dry_run_writes_nothing(capsys, foundations_content):
    call_command("load_content", "--dry-run", "--path", str(foundations_content))
    assert "dry run, nothing written: created" in capsys.readouterr().out
    assert not CoursePage.objects.exists()


def test_pages_with_learner_records_are_kept(foundations_copy, learner):
    content_load(root=foundations_copy)
    course = CoursePage.objects.get(content_key="foundations")
    module = ModulePage.objects.get(content_key="f2-trauma-and-the-brain")
    enrollment = Enrollment.objects.create(
        user=learner, course=course, started_at=course.first_published_at
    )
    ModuleProgress.objects.create(
        enrollment=enrollment,
        module=module,
        started_at=course.first_published_at,
        last_viewed_at=course.first_published_at,
    )
    # The module disappears from the curriculum: the page and the record stay.
    course_yaml = foundations_copy / "foundations" / "course.yaml"
    text = course_yaml.read_text()
    entry = text.index("  - key: f2-trauma-and-the-brain")
    next_entry = text.index("  - key: ", entry + 1)
    course_yaml.write_text(text[:entry] + text[next_entry:])
    for lang in ("en", "es", "fr", "ar"):
        (
            foundations_copy / "foundations" / lang / "f2-trauma-and-the-brain.yaml"
        ).unlink()
    # Its bank questions move to the next module, as an editor would move them.
    bank = foundations_copy / "foundations" / "assessment" / "structure.yaml"
    bank.write_text(
        bank.read_text().replace(
            "module: f2-trauma-and-the-brain", "module: f3-six-principles"
        )
    )
    content_load(root=foundations_copy)
    assert ModulePage.objects.filter(pk=module.pk).exists()
    assert ModuleProgress.objects.filter(module=module).count() == 1


def test_markdown_keeps_the_space_between_inline_elements():
    from academy.curriculum.lessons import markdown_to_html

    html = markdown_to_html('**Label:** *"a quote"*\n\n- one\n- two')
    assert (
        html == '<p><b>Label:</b> <i>"a quote"</i></p><ul><li>one</li><li>two</li></ul>'
    )


def test_the_foundations_assessment_loads_in_every_language(foundations_content):
    from academy.assessments.definition import scenario_graph
    from academy.assessments.graph import decisions_on_every_path

    content_load(root=foundations_content)
    assessment = AssessmentPage.objects.get(content_key="foundations-assessment")
    assert assessment.get_parent().specific.content_key == "foundations"
    assert assessment.questions.count() >= 45 and assessment.bank_draw == 20
    dims = [d.key for d in assessment.dimensions.all()]
    scenarios = ScenarioPage.objects.child_of(assessment).live()
    # One scenario per audience (police, employer, border, the courts).
    assert scenarios.count() == 4
    for scenario in scenarios:
        low, high = decisions_on_every_path(scenario_graph(scenario, dims))
        assert 4 <= low <= high <= 6
        for step in scenario.steps.all():
            for choice in step.choices.all():
                for lang in ("en", "es", "fr", "ar"):
                    assert getattr(choice, f"text_{lang}"), (choice.key, lang)
                    assert getattr(choice, f"feedback_{lang}"), (choice.key, lang)
    for question in assessment.questions.all():
        for lang in ("en", "es", "fr", "ar"):
            assert getattr(question, f"question_{lang}"), (question.key, lang)


def test_a_broken_scenario_in_content_is_named_and_nothing_is_written(
    foundations_copy,
):
    path = foundations_copy / "foundations" / "assessment" / "structure.yaml"
    text = path.read_text()
    first_next = text.index("next: ", text.index("scenarios:"))
    end = text.index("\n", first_next)
    path.write_text(text[:first_next] + "next: nowhere-at-all" + text[end:])
    with pytest.raises(ContentInvalid) as raised:
        read_curriculum(foundations_copy)
    assert "structure.yaml" in str(raised.value)
    assert "'nowhere-at-all', which is neither a step nor an ending" in str(
        raised.value
    )


def test_lessons_link_glossary_terms_where_they_first_appear(foundations_content):
    content_load(root=foundations_content)
    assert GlossaryTerm.objects.count() >= 30
    for lang in ("en", "es", "fr", "ar"):
        linked_anywhere = 0
        for module in ModulePage.objects.filter(content_key__startswith="f"):
            html = "".join(str(b.value) for b in getattr(module, f"body_{lang}"))
            links = re.findall(rf'href="/{lang}/glossary/#([a-z0-9-]+)"', html)
            linked_anywhere += len(links)
        assert linked_anywhere >= 20, lang
    term = GlossaryTerm.objects.get(key="trauma-bonding")
    assert term.term_en and term.term_es and term.term_fr and term.term_ar
