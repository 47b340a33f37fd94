"""Coordinator forms. Every choice a form offers is scoped to the coordinator's own
organisation, and every number and date is bounded, so a tampered or stale form gets
a clear 4xx answer and writes nothing."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.core.choices import WorkRole
from academy.core.ids import MAX_ID, IdChoiceField
from academy.courses.models import CoursePage

from .models import Assignment, Cohort, Exemption, Invitation, Membership, Organisation

MAX_DAYS = 3650  # ten years: further than any due date an agency sets
MAX_MONTHS = 120


class BoundedIntegerField(forms.IntegerField):
    """An integer a database can hold: huge or negative numbers are refused here,
    not by the database."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class FutureDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {"invalid": _("Give the date as a date (YYYY-MM-DD).")}

    def validate(self, value):
        super().validate(value)
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(
                _("The date is in the past; choose a later one.")
            )


class OrganisationForm(forms.Form):
    """A form whose choices come from one organisation."""

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)


class FilterForm(OrganisationForm):
    """The dashboard's filters: anything unknown is ignored, never an error."""

    cohort = IdChoiceField(queryset=Cohort.objects.none(), required=False)
    course = IdChoiceField(queryset=CoursePage.objects.none(), required=False)
    status = forms.ChoiceField(
        choices=[
            ("", ""),
            ("overdue", ""),
            ("open", ""),
            ("done", ""),
            ("expiring", ""),
        ],
        required=False,
    )
    page = BoundedIntegerField(required=False, max_value=100_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = self.organisation.cohorts.all()
        self.fields["course"].queryset = CoursePage.objects.live()

    def value(self, name):
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None


class PersonForm(OrganisationForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    cohort = forms.ChoiceField(label=_("Cohort"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial="learner"
    )
    work_role = forms.ChoiceField(
        label=_("Their work"),
        choices=[("", "—"), *WorkRole.choices],
        required=False,
        help_text=_(
            "Which scenario their assessment plays first (they can change it)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "—")] + [
            (c.name, c.name) for c in self.organisation.cohorts.all()
        ]


class MoveForm(OrganisationForm):
    cohort = IdChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = self.organisation.cohorts.all()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ExemptionForm(OrganisationForm):
    course = IdChoiceField(label=_("Course"), queryset=CoursePage.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Exemption.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assigned = Assignment.objects.filter(organisation=self.organisation)
        self.fields["course"].queryset = CoursePage.objects.filter(
            pk__in=assigned.values("course_id")
        )


class ExtensionForm(OrganisationForm):
    assignment = IdChoiceField(queryset=Assignment.objects.none())
    due_on = FutureDateField(label=_("New due date"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = Assignment.objects.filter(
            organisation=self.organisation
        )


class AssignmentForm(OrganisationForm):
    course = IdChoiceField(label=_("Course"), queryset=CoursePage.objects.none())
    cohort = IdChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.none(), required=False
    )
    person = IdChoiceField(
        label=_("Person"), queryset=Membership.objects.none(), required=False
    )
    due_on = FutureDateField(label=_("Due on"), required=False)
    due_days = BoundedIntegerField(
        label=_("Or due this many days after joining"),
        required=False,
        max_value=MAX_DAYS,
    )
    recurrence_months = BoundedIntegerField(
        label=_("Due again every (months)"), required=False, max_value=MAX_MONTHS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live()
        self.fields["cohort"].queryset = self.organisation.cohorts.all()
        self.fields["person"].queryset = (
            Membership.objects.current()
            .filter(organisation=self.organisation)
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["person"].label_from_instance = lambda m: m.user.full_name

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("cohort")) == bool(cleaned.get("person")):
            raise forms.ValidationError(
                _("Assign the course to a cohort or to one person.")
            )
        if (cleaned.get("due_on") is None) == (cleaned.get("due_days") is None):
            raise forms.ValidationError(
                _("Give a due date, or a number of days after joining.")
            )
        return cleaned


class InvitationActionForm(OrganisationForm):
    invitation = IdChoiceField(queryset=Invitation.objects.none())
    action = forms.ChoiceField(choices=[("resend", ""), ("withdraw", "")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = Invitation.objects.filter(
            organisation=self.organisation
        )


class SwitchForm(forms.Form):
    organisation = BoundedIntegerField()


def first_error(form: forms.Form) -> str:
    """The form's first problem, as one sentence for a message."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return str(_("Check the form and try again."))


class ExtraTimeForm(forms.Form):
    assessment = BoundedIntegerField()
    extra_time_percent = BoundedIntegerField(max_value=300)
    reason = forms.CharField(required=False, max_length=200)
