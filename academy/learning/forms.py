"""Forms for the learner's pages: every value from a request is checked here, so a
tampered or stale form gets a plain answer and writes nothing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class KnowledgeCheckForm(forms.Form):
    """A practice question's answer: option positions, one or several."""

    option = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, options: int, multiple: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiple = multiple
        self.fields["option"].choices = [(str(i), str(i)) for i in range(options)]

    def clean_option(self) -> list[int]:
        chosen = sorted(set(self.cleaned_data["option"]))
        if not self.multiple and len(chosen) > 1:
            raise forms.ValidationError(_("Choose one answer."))
        return chosen

    def problem(self) -> str:
        errors = self.errors.get("option") or []
        if any(str(e) == _("Choose one answer.") for e in errors):
            return _("Choose one answer.")
        return _("Choose an answer first.")


class NameChangeForm(forms.Form):
    requested_name = forms.CharField(
        label=gettext_lazy("Your name as it should appear on your certificates"),
        max_length=200,
    )
    note = forms.CharField(
        label=gettext_lazy("Anything the administrator should know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "You do not need to explain why. No document is asked for unless the "
            "administrator needs one to be sure it is you."
        ),
    )
