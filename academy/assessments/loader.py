"""Writing an assessment described as plain data (definition.AssessmentData) into its
pages: the AssessmentPage under the course, with its dimensions and bank, and one
ScenarioPage per scenario. Pages are found by key and updated in place, never deleted;
only text fields are per language, so no translation can score differently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from wagtail.models import Page

from .definition import AssessmentData, ScenarioData
from .models import (
    AssessmentPage,
    BankOption,
    BankQuestion,
    Dimension,
    ScenarioChoice,
    ScenarioEnding,
    ScenarioPage,
    ScenarioStep,
)


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _dig(*path: str) -> Callable[[dict], object]:
    def get(text: dict):
        for part in path:
            text = (text or {}).get(part) if isinstance(text, dict) else None
        return text

    return get


class _Texts:
    """Sets `<field>_<lang>` on an object from each language file of the assessment."""

    def __init__(self, text: dict[str, dict], languages: Iterable[str]):
        self.text = text
        self.languages = list(languages)

    def set(self, obj, field_name: str, getter: Callable[[dict], object]) -> None:
        for lang in self.languages:
            value = getter(self.text[lang]) if lang in self.text else None
            if isinstance(value, list):
                value = "\n".join(str(v) for v in value)
            # English is required; a missing translation stays empty (None), so the
            # page falls back to English visibly.
            fallback = "" if lang == self.languages[0] else None
            setattr(obj, f"{field_name}_{lang}", value or fallback)


def _publish(page: Page) -> None:
    page.save_revision().publish()


def assessment_page_load(
    *,
    course: Page,
    data: AssessmentData,
    fingerprint: Callable[[dict], str],
    languages: Iterable[str],
) -> tuple[AssessmentPage, LoadResult]:
    """Create or update the course's assessment; publish only the pages that
    changed. `fingerprint(payload)` digests what one page is made of: the
    assessment page its settings, dimensions and bank, each scenario its own."""
    result = LoadResult()
    texts = _Texts(data.text, languages)
    page = _assessment_load(course, data, fingerprint, texts, result)
    for s in data.scenarios:
        _scenario_load(page, s, fingerprint, texts, result)
    keys = [s.key for s in data.scenarios]
    # A scenario taken out of content/ is retired, never deleted: attempts keep it.
    for gone in (
        ScenarioPage.objects.live().child_of(page).exclude(content_key__in=keys)
    ):
        gone.unpublish()
        result.updated.append(f"scenario {gone.content_key} (retired)")
    return page, result


def _assessment_load(
    course: Page,
    data: AssessmentData,
    fingerprint: Callable[[dict], str],
    texts: _Texts,
    result: LoadResult,
) -> AssessmentPage:
    label = f"assessment {data.key}"
    payload = data.payload()
    del payload["scenarios"]
    payload["text"] = {
        lang: {k: v for k, v in text.items() if k != "scenarios"}
        for lang, text in data.text.items()
    }
    digest = fingerprint(payload)
    page = AssessmentPage.objects.filter(content_key=data.key).first()
    if page is not None and page.content_hash == digest:
        result.unchanged.append(label)
        return page
    created = page is None
    if page is None:
        page = AssessmentPage(content_key=data.key, slug="assessment")
    page.content_hash = digest
    page.bank_draw = data.draw
    page.scenario_draw = data.scenario_draw
    page.scenario_pass_percent = data.scenario_pass_percent
    page.knowledge_pass_percent = data.knowledge_pass_percent
    texts.set(page, "title", _dig("title"))
    texts.set(page, "intro", _dig("intro"))
    page.title = data.text["en"]["title"]
    dimensions = []
    for order, key in enumerate(data.dimensions):
        dimension = Dimension(key=key, sort_order=order)
        texts.set(dimension, "label", _dig("dimensions", key))
        dimensions.append(dimension)
    page.dimensions = dimensions
    questions = []
    for q_order, q in enumerate(data.questions):
        question = BankQuestion(
            key=q.key,
            module_key=q.module,
            jurisdiction=q.jurisdiction,
            multiple=q.multiple,
            sort_order=q_order,
        )
        texts.set(question, "question", _dig("bank", q.key, "question"))
        options = []
        for o_order, o in enumerate(q.options):
            option = BankOption(
                key=o.key, correct=o.correct, mistake=o.mistake, sort_order=o_order
            )
            base = ("bank", q.key, "options", o.key)
            texts.set(option, "text", _dig(*base, "text"))
            texts.set(option, "rationale", _dig(*base, "rationale"))
            options.append(option)
        question.options = options
        questions.append(question)
    page.questions = questions
    if created:
        course.add_child(instance=page)
        result.created.append(label)
    else:
        result.updated.append(label)
    _publish(page)
    return page


def _scenario_load(
    page: AssessmentPage,
    s: ScenarioData,
    fingerprint: Callable[[dict], str],
    texts: _Texts,
    result: LoadResult,
) -> None:
    label = f"scenario {s.key}"
    digest = fingerprint(
        {
            "scenario": asdict(s),
            "text": {
                lang: (text.get("scenarios") or {}).get(s.key)
                for lang, text in texts.text.items()
            },
        }
    )
    scenario = ScenarioPage.objects.filter(content_key=s.key).first()
    if scenario is not None and scenario.content_hash == digest and scenario.live:
        result.unchanged.append(label)
        return
    is_new = scenario is None
    if scenario is None:
        scenario = ScenarioPage(content_key=s.key, slug=s.key)
    scenario.content_hash = digest
    scenario.roles = list(s.roles)
    for name in ("title", "intro", "content_note"):
        texts.set(scenario, name, _dig("scenarios", s.key, name))
    scenario.title = texts.text["en"]["scenarios"][s.key]["title"]
    steps = []
    for step_order, row in enumerate(s.steps):
        step = ScenarioStep(
            key=row["key"],
            sort_order=step_order,
            route_dimension=row["route_dimension"],
            route_comparison=row["route_comparison"],
            route_value=row["route_value"],
            route_next=row["route_next"],
            route_otherwise=row["route_otherwise"],
        )
        base = ("scenarios", s.key, "steps", row["key"])
        for name in ("narrative", "prompt", "content_note", "transcript"):
            texts.set(step, name, _dig(*base, name))
        choices = []
        for c_order, c in enumerate(row["choices"]):
            choice = ScenarioChoice(
                sort_order=c_order,
                key=c["key"],
                next_key=c["next"],
                grade=c["grade"],
                mistake=c.get("mistake", ""),
                points=c["points"],
            )
            for name in ("text", "feedback", "remediation"):
                texts.set(choice, name, _dig(*base, "choices", c["key"], name))
            choices.append(choice)
        step.choices = choices
        steps.append(step)
    scenario.steps = steps
    endings = []
    for e_order, e in enumerate(s.endings):
        ending = ScenarioEnding(key=e, sort_order=e_order)
        for name in ("title", "summary", "remember"):
            texts.set(ending, name, _dig("scenarios", s.key, "endings", e, name))
        endings.append(ending)
    scenario.endings = endings
    if is_new:
        page.add_child(instance=scenario)
        result.created.append(label)
    else:
        result.updated.append(label)
    _publish(scenario)
