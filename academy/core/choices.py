"""The vocabularies of core.vocab as Django choices, with their labels for people.

Values come only from core.vocab; this module adds the words shown in forms and the
admin. A value without a label fails at import, so the two cannot drift apart."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import vocab


def _choices(
    name: str, values: tuple[str, ...], labels: dict
) -> type[models.TextChoices]:
    members = [(v.upper().replace("-", "_"), (v, labels[v])) for v in values]
    return models.TextChoices(name, members)


JURISDICTION_LABELS = {
    "us": _("United States"),
    "coe_eu": _("Council of Europe and EU"),
    "intl": _("Elsewhere (international law)"),
}
AUDIENCE_LABELS = {
    "police": _("Police and first responders"),
    "prosecution": _("Prosecutors"),
    "border": _("Border and immigration officials"),
    "judiciary": _("Judges and judicial officers"),
    "employer": _("Employers"),
}
WORK_ROLE_LABELS = {**AUDIENCE_LABELS, "other": _("Other work")}
GRADE_LABELS = {
    "best": _("Best"),
    "acceptable": _("Acceptable"),
    "harmful": _("Harmful"),
    "critical": _("Critical"),
}
MISTAKE_LABELS = {
    "well-meant": _("Well-meant (a kind person's mistake)"),
    "procedural": _("Procedural (a step skipped or done wrongly)"),
    "legal": _("Legal (the law got wrong)"),
    "harsh": _("Harsh (blame, disbelief, a stereotype)"),
}
QUESTION_JURISDICTION_LABELS = {"all": _("Everywhere"), **JURISDICTION_LABELS}
COMPARISON_LABELS = {
    "<": _("less than"),
    "<=": _("at most"),
    ">": _("more than"),
    ">=": _("at least"),
    "==": _("exactly"),
}

Jurisdiction = _choices("Jurisdiction", vocab.JURISDICTIONS, JURISDICTION_LABELS)
Audience = _choices("Audience", vocab.AUDIENCES, AUDIENCE_LABELS)
WorkRole = _choices("WorkRole", vocab.WORK_ROLES, WORK_ROLE_LABELS)
Grade = _choices("Grade", vocab.GRADES, GRADE_LABELS)
Mistake = _choices("Mistake", vocab.MISTAKES, MISTAKE_LABELS)
Comparison: type[models.TextChoices] = models.TextChoices(
    "Comparison",
    [
        (name, (value, COMPARISON_LABELS[value]))
        for name, value in zip(
            ("LT", "LE", "GT", "GE", "EQ"), vocab.COMPARISONS, strict=True
        )
    ],
)
QuestionJurisdiction = _choices(
    "QuestionJurisdiction", vocab.QUESTION_JURISDICTIONS, QUESTION_JURISDICTION_LABELS
)
