from django import forms
from django.utils.translation import gettext_lazy as _

from academy.organisations.models import Sector

from .evidence import MAX_BYTES
from .models import Answer, CriterionReview


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Do you meet this criterion?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("How you meet it, or what is still missing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A few plain lines. Never a survivor's name, details or story: describe "
            "practice, not people."
        ),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Add a file (PDF, PNG or JPEG, up to 10 MB)"),
        max_length=200,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("That file is larger than 10 MB. Send a smaller copy or a few pages.")
            )
        return upload


class AttestationForm(forms.Form):
    nothing_changed = forms.TypedChoiceField(
        label=_("Since the last review or attestation"),
        choices=[
            ("yes", _("Nothing material has changed: every criterion is still met.")),
            ("no", _("Something has changed (say what below).")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    changes = forms.CharField(
        label=_("What has changed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example a new labour agency, a new site, a change of ownership, or "
            "a safety incident and what you did."
        ),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("nothing_changed") is False
            and not (data.get("changes") or "").strip()
        ):
            self.add_error("changes", _("Say what has changed."))
        return data


class RegisterForm(forms.Form):
    listed = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda v: v == "yes"
    )


class RolesForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    is_manager = forms.BooleanField(required=False)
    supervises_partnership_hire = forms.BooleanField(required=False)


class RegisterFilterForm(forms.Form):
    city = forms.CharField(required=False, max_length=120)
    sector = forms.ChoiceField(
        required=False, choices=[("", _("Every sector")), *Sector.choices]
    )
    level = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Both levels")),
            ("certified", _("Certified")),
            ("distinction", _("Certified with distinction")),
        ],
    )


class ReviewForm(forms.Form):
    criterion = forms.CharField(max_length=100)
    decision = forms.ChoiceField(choices=CriterionReview.Decision.choices)
    comment = forms.CharField(required=False, max_length=4000)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=4000)
