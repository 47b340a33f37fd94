"""Admin forms that check a scenario's graph, a bank and the validity rules before
they are saved, with the same functions as load_content and check_content
(graph.validate_scenario, validity.assessment_problems)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm

from academy.core.choices import WorkRole
from academy.core.vocab import LANGUAGES

from .definition import (
    AssessmentData,
    ScenarioData,
    language_text_of_scenario,
    question_data,
    scenario_data,
    scenario_from_rows,
)
from .graph import validate_bank, validate_scenario
from .validity import assessment_problems

# The rules each form answers for: the bank's form for the bank and the length cue
# (which pools questions and scenario decisions), a scenario's form for its own paths.
BANK_RULES = ("bank", "mistakes", "length-cue")
SCENARIO_RULES = ("harmful-path", "mistakes", "kindest-wrong", "scenarios")


def _module_keys(course) -> list[str]:
    """The content keys of the course's live modules (what bank questions name)."""
    if course is None:
        return []
    return [
        m.specific.content_key
        for m in course.get_children().live().order_by("path")
        if getattr(m.specific, "content_key", "")
        and m.specific_class.__name__ == "ModulePage"
    ]


def _merge(texts: dict, more: dict) -> None:
    for lang, data in more.items():
        target = texts.setdefault(lang, {})
        for section, value in data.items():
            target.setdefault(section, {}).update(value)


def _live_forms(formset):
    """Forms that will be saved: not deleted, and either new with data or existing."""
    return [
        f
        for f in formset.forms
        if f not in formset.deleted_forms and (f.has_changed() or f.instance.pk)
    ]


class AssessmentPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if self.is_deferred_validation:
            return cleaned
        formsets_ok = all(fs.is_valid() for fs in self.formsets.values())
        questions = self.formsets.get("questions")
        if not formsets_ok or questions is None:
            return cleaned
        keys = []
        for form in _live_forms(questions):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            keys.append(data["key"])
            options = [
                o.cleaned_data
                for o in _live_forms(form.formsets["options"])
                if o.cleaned_data and not o.cleaned_data.get("DELETE")
            ]
            right = sum(1 for o in options if o.get("correct"))
            if right == 0:
                self.add_error(
                    None,
                    _("Question '%(key)s' has no correct option.")
                    % {"key": data["key"]},
                )
            elif not data.get("multiple") and right != 1:
                self.add_error(
                    None,
                    _(
                        "Question '%(key)s' is single-choice but has "
                        "%(n)s correct options."
                    )
                    % {"key": data["key"], "n": right},
                )
        for problem in (
            validate_bank(keys, cleaned.get("bank_draw") or 0) if keys else []
        ):
            self.add_error(None, problem)
        if keys and not self.errors:
            self._validity(questions, cleaned)
        return cleaned

    def _validity(self, questions_formset, cleaned) -> None:
        page = self.instance
        course = self.parent_page or (page.get_parent() if page.pk else None)
        questions, texts = [], {lang: {"bank": {}} for lang in LANGUAGES}
        for form in _live_forms(questions_formset):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            options = [
                o.cleaned_data
                for o in _live_forms(form.formsets["options"])
                if o.cleaned_data and not o.cleaned_data.get("DELETE")
            ]
            questions.append(
                question_data(
                    data["key"],
                    data.get("module_key", ""),
                    data.get("jurisdiction", "all"),
                    data.get("multiple", False),
                    [(o["key"], o.get("correct"), o.get("mistake")) for o in options],
                )
            )
            for lang in LANGUAGES:
                texts[lang]["bank"][data["key"]] = {
                    "options": {
                        o["key"]: {"text": o.get(f"text_{lang}") or ""} for o in options
                    }
                }
        scenarios = []
        if page.pk:
            for scenario in page.get_children().live().specific():
                scenarios.append(scenario_data(scenario))
                _merge(texts, language_text_of_scenario(scenario, LANGUAGES))
        data = AssessmentData(
            key=page.content_key or "assessment",
            dimensions=[],
            scenario_pass_percent=cleaned.get("scenario_pass_percent") or 80,
            knowledge_pass_percent=cleaned.get("knowledge_pass_percent") or 80,
            draw=cleaned.get("bank_draw") or 0,
            scenario_draw=cleaned.get("scenario_draw"),
            questions=questions,
            scenarios=scenarios,
            text=texts,
        )
        for problem in assessment_problems(
            data, modules=_module_keys(course), languages=LANGUAGES
        ):
            if problem.rule in BANK_RULES and (
                problem.rule != "mistakes"
                or problem.key != ""
                and problem.key in {q.key for q in questions} | {data.key}
            ):
                self.add_error(None, str(problem))


class ScenarioPageForm(WagtailAdminPageForm):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Written for"),
        choices=WorkRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "The work roles this scenario is for: learners in that role play it first."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if self.is_deferred_validation:
            return cleaned  # drafts and autosave may be unfinished
        steps_fs, endings_fs = self.formsets.get("steps"), self.formsets.get("endings")
        if steps_fs is None or endings_fs is None:
            return cleaned
        # The parent's clean runs before the child formsets validate: do it now.
        if not (steps_fs.is_valid() and endings_fs.is_valid()):
            return cleaned
        rows = []
        for form in steps_fs.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or form in steps_fs.deleted_forms:
                continue
            choices_fs = form.formsets["choices"]
            if not choices_fs.is_valid():
                return cleaned
            rows.append(
                {
                    **{
                        k: data.get(k)
                        for k in (
                            "key",
                            "route_dimension",
                            "route_comparison",
                            "route_value",
                            "route_next",
                            "route_otherwise",
                        )
                    },
                    "choices": [
                        {
                            "key": c.cleaned_data["key"],
                            "next": c.cleaned_data["next_key"],
                            "grade": c.cleaned_data["grade"],
                            "mistake": c.cleaned_data.get("mistake") or "",
                            "points": c.cleaned_data.get("points") or {},
                        }
                        for c in choices_fs.forms
                        if c.cleaned_data and not c.cleaned_data.get("DELETE")
                    ],
                }
            )
        endings = [
            f.cleaned_data["key"]
            for f in endings_fs.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        parent = self.parent_page.specific if self.parent_page else None
        if parent is None and self.instance.pk:
            parent = self.instance.get_parent().specific
        dimensions = [d.key for d in parent.dimensions.all()] if parent else []
        graph_problems = validate_scenario(
            scenario_from_rows(rows, endings, dimensions)
        )
        for problem in graph_problems:
            self.add_error(None, problem)
        if not graph_problems and parent is not None:
            self._validity(parent, rows, endings, dimensions, cleaned)
        return cleaned

    def _validity(self, parent, rows, endings, dimensions, cleaned) -> None:
        key = cleaned.get("content_key") or self.instance.content_key or "scenario"
        scenario = ScenarioData(
            key=key, roles=list(cleaned.get("roles") or []), steps=rows, endings=endings
        )
        data = AssessmentData(
            key=parent.content_key or "assessment",
            dimensions=dimensions,
            scenario_pass_percent=parent.scenario_pass_percent,
            knowledge_pass_percent=parent.knowledge_pass_percent,
            draw=parent.bank_draw,
            questions=[],
            scenarios=[scenario],
        )
        for problem in assessment_problems(data, modules=[], languages=()):
            if problem.rule in SCENARIO_RULES and problem.key == key:
                self.add_error(None, str(problem))
