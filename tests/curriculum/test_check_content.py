"""check_content: the curriculum is complete in every language, uses the language
guide's wording, and every module has its sources and its expert-review list."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _check(path, capsys):
    """check_content on a changed copy of Foundations (tests/curriculum/conftest.py):
    the whole real content/ is checked once, in the first test."""
    with pytest.raises(CommandError):
        call_command("check_content", "--path", str(path))
    return capsys.readouterr().err


def test_the_shipped_curriculum_passes(capsys):
    call_command("check_content")
    out = capsys.readouterr().out
    assert "foundations: 7 modules, languages ar, en, es, fr" in out
    assert "scenario hotel-corridor (police): 4–5 decisions on every path" in out
    assert "bank: 74 questions, 20 drawn per attempt; languages ar, en, es, fr" in out
    for course in ("police", "border", "prosecutors", "judges", "employers"):
        assert f"{course}: 6 modules, languages ar, en, es, fr" in out.splitlines()
    assert "employers-refresher: 2 modules, languages ar, en, es, fr" in out
    assert (
        "standard workplace: 29 criteria in 6 domains, languages ar, en, es, fr" in out
    )
    assert (
        "glossary:" in out and "languages ar, en, es, fr" in out.split("glossary:")[1]
    )
    assert out.strip().endswith("content is valid")


@pytest.mark.parametrize(
    ("lang", "line_text", "form"),
    [
        (
            "en",
            "      She was described as a child prostitute in the report.",
            "child prostitute",
        ),
        ("es", "      La llamaron «prostituta infantil».", "prostituta infantil"),
        ("fr", "      Un CLANDESTIN attendait.", "clandestin"),
        ("ar", "      وصفوه بأنه مهاجرٌ غير شرعيّ.", "مهاجر غير شرعي"),
    ],
)
def test_a_term_to_avoid_is_reported_with_file_line_and_the_better_wording(
    foundations_copy, capsys, lang, line_text, form
):
    path = foundations_copy / "foundations" / lang / "f1-what-it-is.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("body: |"))
    lines.insert(at + 1, line_text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _check(foundations_copy, capsys)
    assert f"{lang}/f1-what-it-is.yaml:{at + 2}: uses" in err
    assert "instead" in err and form.split()[0].casefold() in err.casefold()


def test_a_missing_translation_in_a_complete_course(foundations_copy, capsys):
    (
        foundations_copy / "foundations" / "fr" / "f4-noticing-and-responding.yaml"
    ).unlink()
    err = _check(foundations_copy, capsys)
    assert (
        "fr/f4-noticing-and-responding.yaml: is missing: the course is marked complete"
        in err
    )


def test_missing_sources_and_review_list(foundations_copy, capsys):
    (
        foundations_copy / "foundations" / "sources" / "f5-rights-remedies-records.yaml"
    ).unlink()
    (
        foundations_copy / "foundations" / "review" / "f6-language-culture-self-care.md"
    ).unlink()
    err = _check(foundations_copy, capsys)
    assert "sources/f5-rights-remedies-records.yaml: is missing or empty" in err
    assert "review/f6-language-culture-self-care.md: is missing" in err


def test_a_thin_module_is_not_complete(foundations_copy, capsys):
    import yaml

    for lang in ("en", "es", "fr", "ar"):
        path = foundations_copy / "foundations" / lang / "f3-six-principles.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["blocks"] = [b for b in data["blocks"] if b["type"] != "case_study"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = _check(foundations_copy, capsys)
    assert "en/f3-six-principles.yaml: has no case study" in err


def test_a_course_not_marked_complete_may_be_partial(foundations_copy, capsys):
    course = foundations_copy / "foundations" / "course.yaml"
    course.write_text(course.read_text().replace("complete: true", "complete: false"))
    (
        foundations_copy / "foundations" / "fr" / "f4-noticing-and-responding.yaml"
    ).unlink()
    call_command("check_content", "--path", str(foundations_copy))
    assert "content is valid" in capsys.readouterr().out


def test_the_glossary_must_have_the_same_terms_in_every_language(
    foundations_copy, capsys
):
    import yaml

    path = foundations_copy / "glossary" / "es.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    removed = data.pop()["key"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = _check(foundations_copy, capsys)
    assert "glossary/es.yaml" in err and f"missing {removed}" in err
