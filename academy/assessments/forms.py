"""Admin forms that check a scenario's graph and a bank before they are saved, with
the same rules as load_content and check_content (graph.validate_scenario)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm

from academy.core.choices import WorkRole

from .definition import scenario_from_rows
from .graph import validate_bank, validate_scenario


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
        return cleaned


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
        dimensions = [d.key for d in parent.dimensions.all()] if parent else []
        for problem in validate_scenario(scenario_from_rows(rows, endings, dimensions)):
            self.add_error(None, problem)
        return cleaned
